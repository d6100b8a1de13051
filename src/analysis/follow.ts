/**
 * Follow what a command starts: the npm scripts it runs (`npm run x`, `npm install` → the install hooks), the
 * files it runs (`node public/fonts/x.woff2`, `sh setup.sh`, `make setup`), and those files' own commands, to a
 * bounded depth. The result is one list of traits with the chain that led to each, so a folderOpen task that
 * runs `npm install` is judged by the `prepare` script it triggers.
 */
import path from 'node:path';
import type { Inventory, Workspace } from '../types.js';
import type { Signatures } from '../signatures/types.js';
import { analyseCommand, type CommandAnalysis, type Trait } from './command.js';
import { checkFileType } from './filetype.js';
import { bytesOf } from '../acquire/bytes.js';
import type { UrlVerdict } from './urls.js';

export interface FollowContext {
  workspace: Workspace;
  inventory: Inventory;
  signatures: Signatures;
  text(path: string): Promise<string | undefined>;
}

export interface FollowedTrait extends Trait {
  /** Steps from the starting command to the one that showed this trait. */
  chain: string[];
  file?: string;
  line?: number;
}

export interface FollowResult {
  root: CommandAnalysis;
  traits: FollowedTrait[];
  urls: UrlVerdict[];
  /** Workspace files reached (run or read as scripts). */
  files: string[];
  devServer: boolean;
  benign: boolean;
}

const INSTALL_HOOKS = ['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare'];
const MAX_DEPTH = 4;

/** Join a relative path onto a workspace folder; undefined when it escapes the root. */
export function resolveIn(baseDir: string, rel: string): string | undefined {
  const cleaned = rel.replace(/^["']|["']$/g, '').replace(/\$\{(?:workspaceFolder|workspaceRoot|localWorkspaceFolder|containerWorkspaceFolder)\}\/?/g, '');
  if (path.posix.isAbsolute(cleaned) || /^[a-z]:/i.test(cleaned)) return undefined;
  const joined = path.posix.normalize(path.posix.join(baseDir || '.', cleaned.replace(/\\/g, '/')));
  if (joined.startsWith('..')) return undefined;
  return joined === '.' ? '' : joined;
}

function findFile(ws: Workspace, p: string): string | undefined {
  for (const cand of [p, `${p}.js`, `${p}.cjs`, `${p}.mjs`, `${p}.ts`, `${p}/index.js`, `${p}/index.cjs`, `${p}/index.mjs`, `${p}.py`]) {
    const f = ws.get(cand);
    if (f && f.kind === 'file') return cand;
  }
  return undefined;
}

/** Recipe lines of a make target (the first target when none is named). */
export function makeRecipe(text: string, target: string): { line: number; command: string }[] {
  const lines = text.split('\n');
  const out: { line: number; command: string }[] = [];
  let inTarget = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const m = /^([\w./%-]+(?:\s+[\w./%-]+)*)\s*::?(?!=)/.exec(l);
    if (m && !l.startsWith('\t')) {
      const names = m[1].split(/\s+/);
      if (inTarget) break;
      inTarget = target ? names.includes(target) : !names[0].startsWith('.');
      continue;
    }
    if (inTarget && l.startsWith('\t')) out.push({ line: i + 1, command: l.slice(1).replace(/^[@+-]+/, '') });
  }
  return out;
}

export async function followCommand(command: string, baseDir: string, ctx: FollowContext): Promise<FollowResult> {
  const root = analyseCommand(command, ctx.signatures);
  const result: FollowResult = { root, traits: [], urls: [], files: [], devServer: root.devServer, benign: root.benign };
  const seen = new Set<string>();

  const visit = async (a: CommandAnalysis, dir: string, chain: string[], depth: number, file?: string, line?: number) => {
    for (const t of a.traits) result.traits.push({ ...t, chain, file, line });
    result.urls.push(...a.urls);
    if (depth >= MAX_DEPTH) return;

    for (const script of a.runsScripts) {
      const manifestPath = dir ? `${dir}/package.json` : 'package.json';
      const manifest = ctx.inventory.manifests.find((m) => m.file === manifestPath);
      if (!manifest) continue;
      const names = script === 'install' ? INSTALL_HOOKS : [`pre${script}`, script, `post${script}`];
      for (const name of names) {
        const s = manifest.scripts[name];
        if (!s) continue;
        const key = `script:${manifestPath}#${name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const inner = analyseCommand(s.command, ctx.signatures);
        if (!inner.benign) result.benign = false;
        if (inner.devServer) result.devServer = true;
        await visit(inner, dir, [...chain, `${manifestPath} scripts.${name}: ${s.command}`], depth + 1, manifestPath, s.line);
      }
    }

    for (const rel of a.runsFiles) {
      const [relPath, makeTarget] = rel.startsWith('Makefile#') ? ['Makefile', rel.slice('Makefile#'.length)] : [rel, undefined];
      const resolved = resolveIn(dir, relPath);
      if (resolved === undefined) continue;
      const found = findFile(ctx.workspace, resolved);
      if (!found) continue;
      const key = `file:${found}#${makeTarget ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      result.files.push(found);
      const step = [...chain, `runs ${found}`];
      const entry = ctx.workspace.get(found)!;
      const bytes = await bytesOf(entry);
      if (!bytes) continue;
      const mismatch = checkFileType(found, bytes, ctx.signatures);
      if (mismatch) {
        result.benign = false;
        result.traits.push({
          kind: 'disguised-file',
          severity: mismatch.actual === 'javascript' ? 'critical' : 'high',
          detail: `runs ${found}, which is ${mismatch.detail}`,
          chain: step,
          file: found,
          line: 1,
        });
        continue;
      }
      const native = ctx.signatures.binaries.magic.find((m) => bytes.subarray(0, m.hex.length / 2).toString('hex') === m.hex && !(m.hex === '4d5a' && bytes.length < 64));
      if (native) {
        result.benign = false;
        result.traits.push({ kind: 'runs-binary', severity: 'critical', detail: `runs ${found}, a prebuilt ${native.format} nobody can review`, chain: step, file: found });
        continue;
      }
      const isShell = /\.(?:sh|bash|zsh|command)$/i.test(found) || (makeTarget === undefined && /^#!.*\b(?:ba|z|da|k)?sh\b/.test(bytes.subarray(0, 100).toString('latin1')));
      if (makeTarget !== undefined || isShell) {
        const text = await ctx.text(found);
        if (!text) continue;
        const lines = makeTarget !== undefined
          ? makeRecipe(text, makeTarget)
          : text.split('\n').map((command, i) => ({ line: i + 1, command })).filter((l) => l.command.trim() && !l.command.trim().startsWith('#'));
        for (const l of lines.slice(0, 500)) {
          const inner = analyseCommand(l.command, ctx.signatures);
          if (!inner.benign) result.benign = false;
          await visit(inner, dir, [...step, `${found}:${l.line}: ${l.command.trim()}`], depth + 1, found, l.line);
        }
      }
    }
  };
  await visit(root, baseDir, [], 0);
  return result;
}
