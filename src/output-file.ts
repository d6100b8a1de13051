/**
 * Writing a file the user named (a report, a SARIF file) without being steered by what is already there. The usual
 * place to run a scan is inside the folder being scanned, so that folder may ship `report.json -> ../victim` (or a
 * hard link, a FIFO, or a `reports/` folder that is a link out of the tree): a plain write would follow it and
 * overwrite a file the scanned code chose. Here the data goes to a new temporary file in the same folder, opened
 * with O_CREAT | O_EXCL | O_NOFOLLOW, and is renamed over the name, which replaces a link or a hard-linked entry
 * instead of writing through it. An existing symbolic link or non-regular file at the name, or a symbolic link
 * among the folders between the working directory and the file, is refused with a message saying why.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

export class OutputRefused extends Error {}

export interface WriteOutputOptions {
  /**
   * Refuse a symbolic link among the folders from `cwd` down to the file (default true). Off for files under a
   * location the user configured once (a cache folder), where a linked folder is a deliberate set-up.
   */
  refuseLinkedFolders?: boolean;
  cwd?: string;
  /** How the file is named in messages, e.g. `--output report.json`. */
  label?: string;
}

async function lstatOrUndefined(p: string) {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The checks {@link writeOutputFile} makes before it writes, for a caller to run before long work (a scan of minutes
 * should not end in a refusal it could have made at once): throws OutputRefused for a symbolic link or non-regular
 * file at the name, a linked folder on the way, or a folder that does not exist. Returns what is at the name now.
 * writeOutputFile checks again when it writes: the name may change meanwhile.
 */
export async function checkOutputTarget(file: string, options: WriteOutputOptions = {}): Promise<import('node:fs').Stats | undefined> {
  const label = options.label ?? file;
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const abs = path.resolve(cwd, file);
  if (options.refuseLinkedFolders !== false) {
    const rel = path.relative(cwd, path.dirname(abs));
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) {
      let dir = cwd;
      for (const part of rel.split(path.sep)) {
        dir = path.join(dir, part);
        const st = await lstatOrUndefined(dir);
        if (st?.isSymbolicLink()) {
          throw new OutputRefused(`${label}: the folder ${path.relative(cwd, dir)} is a symbolic link (to ${await fs.readlink(dir)}); refusing to write through it — choose a path without links`);
        }
      }
    }
  }
  const parent = await fs.stat(path.dirname(abs)).catch(() => undefined);
  if (!parent) throw new OutputRefused(`${label}: the folder ${path.dirname(file)} does not exist — create it or choose another path`);
  if (!parent.isDirectory()) throw new OutputRefused(`${label}: ${path.dirname(file)} is not a folder — choose another path`);
  const existing = await lstatOrUndefined(abs);
  if (existing?.isSymbolicLink()) {
    throw new OutputRefused(`${label} is a symbolic link (to ${await fs.readlink(abs)}); refusing to write through it — remove it or choose another file`);
  }
  if (existing && !existing.isFile()) {
    throw new OutputRefused(`${label} exists and is not a regular file; refusing to write to it — choose another file (or leave out the option to print to stdout)`);
  }
  return existing;
}

export async function writeOutputFile(file: string, data: string | Uint8Array, options: WriteOutputOptions = {}): Promise<void> {
  const abs = path.resolve(path.resolve(options.cwd ?? process.cwd()), file);
  const existing = await checkOutputTarget(file, options);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const handle = await fs.open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, existing ? existing.mode & 0o777 : 0o666);
  try {
    await handle.writeFile(data);
    // The mode given to open is reduced by the umask; an existing file's own mode is what its owner chose.
    if (existing) await handle.chmod(existing.mode & 0o777);
    await handle.close();
    await fs.rename(tmp, abs);
  } catch (err) {
    await handle.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
