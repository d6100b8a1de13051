/**
 * package.json: dependencies of every kind, scripts (lifecycle hooks become InstallScripts), bin, main,
 * workspaces, and the git-hook fields of simple-git-hooks and husky v4.
 */
import path from 'node:path';
import type { Package, PackageManifest } from '../../types.js';
import type { InventoryParser } from '../types.js';
import { entries, lineOf, nodeAt, parseJsonc, valueOf } from '../jsonc.js';
import { snippet } from '../../analysis/text.js';
import { jsonText } from '../json-text.js';
import { npmAlias } from './alias.js';

/** Scripts npm, yarn and pnpm run on a plain install, with no command from the user. */
export const INSTALL_HOOKS = new Set(['preinstall', 'install', 'postinstall', 'preprepare', 'prepare', 'postprepare', 'prepublish', 'preuninstall', 'uninstall', 'postuninstall', 'dependencies']);
/** Scripts that run around the commands a developer is told to run first (`npm start`, `npm run dev`). */
export const START_HOOKS = new Set(['prestart', 'poststart', 'predev', 'postdev', 'preserve', 'postserve', 'pretest', 'posttest']);

const DEP_FIELDS: [string, Package['scope']][] = [
  ['dependencies', 'prod'],
  ['devDependencies', 'dev'],
  ['optionalDependencies', 'optional'],
  ['peerDependencies', 'peer'],
];

export const packageJson: InventoryParser = {
  id: 'npm/package-json',
  matches: (p) => p === 'package.json' || p.endsWith('/package.json'),
  parse(file, text, sink) {
    const doc = parseJsonc(text);
    if (doc.errors.length || !doc.root || doc.root.type !== 'object') {
      sink.diagnostic({
        code: 'parse-error',
        message: `package.json is not valid JSON (${doc.errors[0] ?? 'not an object'}); what could be read was analysed`,
        file: file.path,
        incomplete: true,
      });
      if (!doc.root || doc.root.type !== 'object') return;
    }
    const dir = path.posix.dirname(file.path) === '.' ? '' : path.posix.dirname(file.path);
    const str = (k: string) => {
      const v = valueOf(nodeAt(doc, [k]));
      return typeof v === 'string' ? v : undefined;
    };
    const manifest: PackageManifest = {
      file: file.path,
      name: str('name'),
      version: str('version'),
      main: str('main'),
      bin: {},
      scripts: {},
      dependencies: [],
      workspaces: [],
    };
    const bin = valueOf(nodeAt(doc, ['bin']));
    if (typeof bin === 'string') manifest.bin[manifest.name ?? 'bin'] = bin;
    else if (bin && typeof bin === 'object') for (const [k, v] of Object.entries(bin)) if (typeof v === 'string') manifest.bin[k] = v;
    const ws = valueOf(nodeAt(doc, ['workspaces']));
    const wsList = Array.isArray(ws) ? ws : ws && typeof ws === 'object' && Array.isArray((ws as { packages?: unknown }).packages) ? (ws as { packages: unknown[] }).packages : [];
    manifest.workspaces = wsList.filter((x): x is string => typeof x === 'string');

    for (const [name, node] of entries(nodeAt(doc, ['scripts']))) {
      const command = valueOf(node);
      if (typeof command !== 'string') continue;
      const line = lineOf(doc, node) ?? 1;
      manifest.scripts[name] = { command, line };
      const where = { file: file.path, line, snippet: snippet(`"${name}": ${jsonText(command)}`) };
      if (INSTALL_HOOKS.has(name) || START_HOOKS.has(name)) {
        sink.installScripts.push({
          trigger: `npm:${name}`,
          surface: 'lifecycle',
          command,
          where,
          automatic: INSTALL_HOOKS.has(name),
          manifest: file.path,
          hook: name,
        });
      }
    }

    for (const [field, scope] of DEP_FIELDS) {
      for (const [name, node] of entries(nodeAt(doc, [field]))) {
        const spec = valueOf(node);
        // An alias ("lodash": "npm:is-buffer-validator@^1") installs the package after "npm:" under the key's name.
        const alias = typeof spec === 'string' ? npmAlias(spec) : undefined;
        const pkg: Package = {
          ecosystem: 'npm',
          name: alias?.name ?? name,
          ...(alias && alias.name !== name ? { alias: name } : {}),
          spec: alias ? alias.range || '*' : typeof spec === 'string' ? spec : undefined,
          direct: true,
          scope,
          where: { file: file.path, line: lineOf(doc, node), snippet: snippet(`"${name}": ${jsonText(spec)}`) },
          source: 'npm/package-json',
        };
        manifest.dependencies.push(pkg);
        sink.packages.push(pkg);
      }
    }
    sink.manifests.push(manifest);

    // Git hooks declared in package.json: simple-git-hooks and husky v4.
    const hookSources: [string, (string | number)[]][] = [
      ['simple-git-hooks', ['simple-git-hooks']],
      ['husky', ['husky', 'hooks']],
      ['pre-commit', ['pre-commit']],
    ];
    for (const [tool, loc] of hookSources) {
      const node = nodeAt(doc, loc);
      for (const [hook, cmdNode] of entries(node)) {
        const cmd = valueOf(cmdNode);
        if (typeof cmd !== 'string' || hook === 'preserveUnused') continue;
        sink.autoRun.push({
          trigger: `git-hook:${hook} (${tool})`,
          surface: 'git-hook',
          command: cmd,
          automatic: true,
          where: { file: file.path, line: lineOf(doc, cmdNode), snippet: snippet(`"${hook}": ${jsonText(cmd)}`) },
          attributes: { baseDir: dir },
        });
      }
    }
  },
};
