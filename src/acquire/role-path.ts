/**
 * The path a file takes where it lands, as opposed to the name it is stored under. Extractors and file systems read
 * names more loosely than a byte comparison: every extractor collapses `p//x` and `p/./x`, Windows drops trailing
 * dots and spaces from every segment (`.vscode./tasks.json` is `.vscode/tasks.json`, `"package.json "` is
 * `package.json`), and the default file systems of macOS and Windows ignore case (`.VSCode/Tasks.json` is the file
 * VS Code opens as `.vscode/tasks.json`). Rules decide by path, so the workspace presents such a file at the path it
 * takes as well (`workspace.ts`, `presentRoles`); these functions say what that path is.
 */

/** `\` to `/`, no empty or `.` segments, no trailing slash: what every extractor writes for the name. */
export function lexicalPath(p: string): string {
  return p
    .replace(/\\/g, '/')
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.')
    .join('/');
}

/** Windows drops trailing dots and spaces from each segment (`..` is left to the traversal checks). */
export function windowsPath(p: string): string {
  return p
    .split('/')
    .map((seg) => (seg === '..' ? seg : trimDotsAndSpaces(seg) || seg))
    .join('/');
}

/** A segment without its trailing dots and spaces (a loop, not a regex: linear on any input). */
function trimDotsAndSpaces(seg: string): string {
  let end = seg.length;
  while (end > 0 && (seg[end - 1] === '.' || seg[end - 1] === ' ')) end--;
  return seg.slice(0, end);
}

/**
 * A case-insensitive comparison key: the full Unicode case folding that APFS and NTFS apply is approximated by
 * upper- then lower-casing (so `ſ` and `s`, `K` (Kelvin) and `k` meet), after NFC (APFS ignores normalisation too).
 */
export function foldCase(s: string): string {
  return s.normalize('NFC').toUpperCase().toLowerCase();
}

/** The key two names share when one file system (Windows, macOS by default) opens both as one file. */
export function platformKey(p: string): string {
  return foldCase(windowsPath(lexicalPath(p)));
}

/**
 * The path a stored name takes when a tool or a rule looks for a known file, or undefined when it takes its own.
 * `isRole` says whether a path has a role (a parser or a rule keys on it). Tried in order: the name as extractors write
 * it and as Windows does; then, when neither is a role, the same with every segment case-folded (the spelling rules
 * use for `.vscode/tasks.json`, `package.json`), and with the file name capitalised (`Pipfile`, `Makefile`).
 */
export function rolePathOf(stored: string, isRole: (p: string) => boolean): string | undefined {
  const written = windowsPath(lexicalPath(stored));
  // The common case, checked first because it runs for every file: a lower-case name every platform reads as stored
  // has one other spelling worth a look, a capitalised file name (`pipfile` is what pipenv opens as `Pipfile` on macOS).
  if (written === stored && foldCase(stored) === stored) {
    const capital = capitalised(stored);
    if (capital === stored || !capitalRole(capital.slice(capital.lastIndexOf('/') + 1), isRole)) return undefined;
    return isRole(capital) && !isRole(stored) ? capital : undefined;
  }
  if (isRole(stored)) return written !== stored && isRole(written) ? written : undefined;
  if (isRole(written)) return written;
  const folded = written.split('/').map(foldCase);
  const lower = folded.join('/');
  if (lower !== stored && isRole(lower)) return lower;
  const capital = capitalised(lower);
  if (capital !== stored && isRole(capital)) return capital;
  return written !== stored ? written : undefined;
}

/**
 * Whether a capitalised file name has a role at the root (`Pipfile`, `Pipfile.lock`), remembered per name and per
 * predicate: most files of a tree are lower-case, share a few hundred names, and are not capitalised roles.
 */
const capitalRoles = new WeakMap<(p: string) => boolean, Map<string, boolean>>();
function capitalRole(base: string, isRole: (p: string) => boolean): boolean {
  let memo = capitalRoles.get(isRole);
  if (!memo) capitalRoles.set(isRole, (memo = new Map()));
  let known = memo.get(base);
  if (known === undefined) {
    known = isRole(base);
    if (memo.size < 100_000) memo.set(base, known);
  }
  return known;
}

/** The path with its file name's first letter in upper case. */
function capitalised(p: string): string {
  const slash = p.lastIndexOf('/') + 1;
  return p.slice(0, slash) + p.charAt(slash).toUpperCase() + p.slice(slash + 1);
}
