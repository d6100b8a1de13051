/**
 * The command analyser every auto-run surface shares: lifecycle scripts, editor tasks, devcontainer hooks,
 * git hooks and the shell scripts they call. It reads a command line (sh, cmd or PowerShell flavoured) and says
 * what it does: downloads piped into a shell, inline code, encoded PowerShell, background or hidden launches,
 * files and npm scripts it runs, and URLs it touches. It is a pure function of the string; following the files
 * and scripts it names is done by follow.ts.
 */
import { parse as shellParse, type ParseEntry } from 'shell-quote';
import type { Severity } from '../types.js';
import type { Signatures } from '../signatures/types.js';
import { classifyUrl, extractUrls, maxSeverity, rank, type UrlVerdict } from './urls.js';

export type TraitKind =
  | 'pipe-to-shell'
  | 'download-exec'
  | 'download'
  | 'inline-code'
  | 'encoded-powershell'
  | 'background'
  | 'hidden-window'
  | 'url'
  | 'runs-file'
  | 'runs-script'
  | 'installs-deps'
  | 'dev-server'
  | 'benign'
  | 'disguised-file'
  | 'runs-binary'
  | 'missing-file'
  | 'other';

export interface Trait {
  kind: TraitKind;
  severity: Severity;
  detail: string;
}

export interface CommandAnalysis {
  command: string;
  traits: Trait[];
  urls: UrlVerdict[];
  /** Local files the command runs with an interpreter (node, python, sh …), relative as written. */
  runsFiles: string[];
  /** npm scripts the command runs (`npm run x`, `yarn x`, `npm start`). */
  runsScripts: string[];
  /** True when every step is a known ordinary tool (husky, prisma generate, node-gyp rebuild …). */
  benign: boolean;
  /** True when some step starts a dev server or watcher. */
  devServer: boolean;
  severity: Severity;
}

const INTERPRETERS = new Set(['node', 'nodejs', 'python', 'python3', 'python2', 'py', 'perl', 'ruby', 'php', 'deno', 'bun', 'tsx', 'ts-node', 'sh', 'bash', 'zsh', 'dash', 'ksh', 'source', '.']);
const INLINE_FLAGS: Record<string, string[]> = {
  node: ['-e', '--eval', '-p', '--print'],
  nodejs: ['-e', '--eval', '-p', '--print'],
  bun: ['-e', '--eval', '-p', '--print'],
  deno: ['eval'],
  python: ['-c'],
  python3: ['-c'],
  python2: ['-c'],
  py: ['-c'],
  perl: ['-e', '-E'],
  ruby: ['-e'],
  php: ['-r'],
  sh: ['-c'],
  bash: ['-c'],
  zsh: ['-c'],
  dash: ['-c'],
  ksh: ['-c'],
  cmd: ['/c', '/k', '/C', '/K'],
  powershell: ['-c', '-command', '-Command', '-C'],
  pwsh: ['-c', '-command', '-Command', '-C'],
};
const SHELL_LIKE = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'cmd', 'powershell', 'pwsh']);
const PM = new Set(['npm', 'yarn', 'pnpm', 'bun']);
const PM_BUILTINS = new Set(['install', 'i', 'ci', 'add', 'exec', 'x', 'dlx', 'create', 'init', 'publish', 'pack', 'link', 'remove', 'uninstall', 'update', 'upgrade', 'audit', 'outdated', 'config', 'set', 'version', 'view', 'info', 'why', 'cache', 'prune', 'rebuild', 'dedupe', 'login', 'logout', 'whoami', 'help', 'workspace', 'workspaces']);

// Inline code is judged by what it reaches for. These are text-level cues on a short string, not a JS parse.
const NET_CUES = /\bhttps?\.(?:get|request)\b|\brequire\(\s*['"](?:node:)?(?:https?|net|dgram|tls)['"]\s*\)|\bfetch\s*\(|\baxios\b|\bXMLHttpRequest\b|\burllib\b|\brequests\.(?:get|post)\b|\bsocket\.|\bnet\.connect\b|\bInvoke-WebRequest\b|\biwr\b|\bInvoke-RestMethod\b|\birm\b|\bDownloadString\b|\bWebClient\b|\bcurl\b|\bwget\b|\bhttps?:\/\//i;
const EXEC_CUES = /\b(?:eval\s*\(|new\s+Function|Function\s*\(|child_process|exec(?:Sync|File)?\s*\(|spawn(?:Sync)?\s*\(|vm\.run|runInThisContext|os\.system|subprocess|iex\b|Invoke-Expression|writeFileSync|chmod|Start-Process)/i;

function basenameOf(prog: string): string {
  const b = prog.replace(/\\/g, '/').split('/').pop() ?? prog;
  return b.toLowerCase().replace(/\.(?:exe|cmd|bat)$/, '');
}

type Segment = { argv: string[]; background: boolean; pipeFrom: boolean; pipeTo: boolean };

/** Split a command line into pipeline segments. Unparseable input falls back to whitespace splitting. */
export function segments(command: string): Segment[] {
  let entries: ParseEntry[];
  try {
    entries = shellParse(command.replace(/\r?\n/g, ' ; '), (key: string) => `$${key}`);
  } catch {
    entries = command.split(/\s+/);
  }
  const out: Segment[] = [];
  let cur: Segment = { argv: [], background: false, pipeFrom: false, pipeTo: false };
  const flush = () => {
    if (cur.argv.length) out.push(cur);
    cur = { argv: [], background: false, pipeFrom: false, pipeTo: false };
  };
  let redirect = false;
  for (const e of entries) {
    if (typeof e === 'string') {
      if (redirect) {
        redirect = false;
        continue;
      }
      cur.argv.push(e);
    } else if ('op' in e) {
      const op = e.op as string;
      if (op === '|' || op === '|&') {
        cur.pipeTo = true;
        const prev = cur;
        flush();
        if (prev.argv.length) cur.pipeFrom = true;
      } else if (op === '&') {
        cur.background = true;
        flush();
      } else if (op === '>' || op === '>>' || op === '<' || op === '>&' || op === '<(' || op === '2>' || op === '&>') {
        redirect = op !== '>&';
      } else if (op === 'glob') {
        cur.argv.push(String((e as unknown as { pattern: unknown }).pattern));
      } else {
        flush();
      }
    } else if ('pattern' in e) {
      cur.argv.push(String(e.pattern));
    }
  }
  flush();
  return out;
}

export interface AnalyseOptions {
  /** Nesting level of inline shells (sh -c, cmd /c, encoded PowerShell). */
  depth?: number;
}

export function analyseCommand(command: string, sigs: Signatures, opts: AnalyseOptions = {}): CommandAnalysis {
  const depth = opts.depth ?? 0;
  const result: CommandAnalysis = {
    command,
    traits: [],
    urls: [],
    runsFiles: [],
    runsScripts: [],
    benign: true,
    devServer: false,
    severity: 'info',
  };
  const benignRes = sigs.commands.benignInstall.map((r) => new RegExp(r, 'i'));
  const devRes = sigs.commands.devServer.map((r) => new RegExp(r, 'i'));
  const downloaders = new Set(sigs.commands.downloaders);
  const shells = new Set(sigs.commands.shells);
  const add = (kind: TraitKind, severity: Severity, detail: string) => {
    result.traits.push({ kind, severity, detail });
    if (kind !== 'benign' && kind !== 'dev-server' && kind !== 'runs-script' && kind !== 'installs-deps') result.benign = false;
  };
  const merge = (inner: CommandAnalysis, via: string) => {
    for (const t of inner.traits) add(t.kind, t.severity, `${t.detail} (inside ${via})`);
    result.urls.push(...inner.urls);
    result.runsFiles.push(...inner.runsFiles);
    result.runsScripts.push(...inner.runsScripts);
    if (!inner.benign) result.benign = false;
    if (inner.devServer) result.devServer = true;
  };

  for (const u of extractUrls(command)) {
    const v = classifyUrl(u, sigs);
    if (v) {
      result.urls.push(v);
      add('url', v.severity, `${v.url}: ${v.description}`);
    }
  }

  const segs = segments(command);
  let downloadSeen = false;
  let downloadedFile: string | undefined;
  for (const seg of segs) {
    let argv = seg.argv.slice();
    let background = seg.background;
    let hidden = false;
    // Peel wrappers that change how, not what, runs.
    for (let guard = 0; guard < 8 && argv.length; guard++) {
      const p = basenameOf(argv[0]);
      if (/^[A-Z_]\w*=/i.test(argv[0])) argv = argv.slice(1);
      else if (p === 'sudo' || p === 'env' || p === 'exec' || p === 'command' || p === 'time' || p === 'call') argv = argv.slice(1);
      else if (p === 'if' && argv.length > 3) {
        // cmd.exe: `if [not] exist <path> <command>` runs <command>.
        let i = 1;
        if (argv[i]?.toLowerCase() === 'not') i++;
        if (argv[i]?.toLowerCase() === 'exist') i += 2;
        else break;
        argv = argv.slice(i);
      }
      else if (p === 'cross-env') argv = argv.slice(1).filter((a, i, arr) => !/^[A-Z_]\w*=/i.test(a) || i >= arr.findIndex((x) => !/=/.test(x)));
      else if (p === 'nohup' || p === 'setsid' || p === 'disown') {
        background = true;
        argv = argv.slice(1);
      } else if (p === 'start' && argv.length > 1) {
        // Windows `start /b …` or `start /min …` launches without a window of its own.
        let i = 1;
        while (i < argv.length && /^\/(?:[bid]|min|wait|low|normal|high|belownormal|abovenormal|realtime|shared|separate)$/i.test(argv[i])) {
          if (/^\/(?:b|min)$/i.test(argv[i])) background = true;
          i++;
        }
        if (i < argv.length && /^".*"$|^$/.test(argv[i])) i++;
        argv = argv.slice(i);
      } else if (p === 'npx' || p === 'pnpx' || p === 'bunx' || (p === 'pnpm' && argv[1] === 'dlx') || (p === 'yarn' && argv[1] === 'dlx')) {
        const rest = argv.slice(p === 'pnpm' || p === 'yarn' ? 2 : 1);
        argv = rest.filter((a) => !/^(?:-y|--yes|--no-install|-q|--quiet)$/.test(a));
      } else break;
    }
    if (argv.length === 0) continue;
    const prog = basenameOf(argv[0]);
    const joined = argv.join(' ');

    if (background) add('background', 'high', `launched in the background: ${joined}`);

    if (benignRes.some((r) => r.test(joined))) {
      add('benign', 'info', joined);
      continue;
    }
    if (devRes.some((r) => r.test(joined))) {
      result.devServer = true;
      add('dev-server', 'info', joined);
    }

    // PowerShell: encoded commands and hidden windows.
    if (prog === 'powershell' || prog === 'pwsh') {
      for (let i = 1; i < argv.length; i++) {
        const a = argv[i].toLowerCase();
        if ((a === '-w' || a === '-windowstyle') && /^hid/i.test(argv[i + 1] ?? '')) {
          hidden = true;
        }
        if (/^-(?:e|ec|en|enc|enco|encod|encode|encoded|encodedc|encodedcommand)$/.test(a) && argv[i + 1]) {
          // Buffer.from(…, 'base64') skips characters outside the alphabet instead of throwing.
          const decoded = Buffer.from(argv[i + 1], 'base64').toString('utf16le');
          add('encoded-powershell', 'critical', `PowerShell runs a base64-encoded command: ${decoded.slice(0, 200) || '(undecodable)'}`);
          if (decoded && depth < 3) merge(analyseCommand(decoded, sigs, { depth: depth + 1 }), 'encoded PowerShell');
        }
      }
      if (hidden) add('hidden-window', 'high', `PowerShell with a hidden window: ${joined}`);
    }

    // Inline code: node -e, python -c, sh -c, cmd /c, powershell -c.
    const inlineFlags = INLINE_FLAGS[prog];
    if (inlineFlags) {
      const idx = argv.findIndex((a, i) => i > 0 && inlineFlags.includes(a));
      const code = idx > 0 ? argv.slice(idx + 1).join(' ') : '';
      if (idx > 0 && code) {
        if (SHELL_LIKE.has(prog)) {
          if (depth < 3) merge(analyseCommand(code, sigs, { depth: depth + 1 }), `${prog} ${argv[idx]}`);
        } else {
          const net = NET_CUES.test(code);
          const exec = EXEC_CUES.test(code);
          const sev: Severity = net && exec ? 'critical' : net || exec ? 'high' : 'medium';
          add('inline-code', sev, `${prog} ${argv[idx]} runs inline code${net ? ' that uses the network' : ''}${exec ? `${net ? ' and' : ' that'} executes or writes code` : ''}: ${code.slice(0, 200)}`);
        }
        continue;
      }
    }

    // Downloads, and what happens to what was downloaded.
    if (downloaders.has(prog)) {
      downloadSeen = true;
      const out = argv.findIndex((a) => a === '-o' || a === '-O' || a === '--output' || a === '-OutFile' || a === '-outfile');
      if (out > 0 && argv[out + 1]) downloadedFile = argv[out + 1];
      if (seg.pipeTo) {
        // The next segment decides: a shell means the download runs.
        continue;
      }
      add('download', 'medium', `downloads: ${joined}`);
      continue;
    }
    if (seg.pipeFrom && (shells.has(prog) || prog === 'iex' || prog === 'invoke-expression') && argv.slice(1).every((a) => a.startsWith('-'))) {
      const fromDownload = downloadSeen;
      add(fromDownload ? 'pipe-to-shell' : 'other', fromDownload ? 'critical' : 'medium', `${fromDownload ? 'pipes a download into' : 'pipes text into'} ${prog}: ${command.slice(0, 200)}`);
      continue;
    }
    if (downloadedFile && (joined.includes(downloadedFile) && (/^(?:chmod|sh|bash|zsh|\.|source|node|python3?|start|open|cmd|powershell|pwsh)$/.test(prog) || argv[0].includes(downloadedFile)))) {
      add('download-exec', 'critical', `runs the file it downloaded (${downloadedFile}): ${joined}`);
      continue;
    }

    // Package managers: npm run x, npm start, npm install.
    if (PM.has(prog)) {
      const args = argv.slice(1).filter((a) => !a.startsWith('-'));
      const sub = args[0];
      if (!sub || sub === 'install' || sub === 'i' || sub === 'ci') {
        // `yarn` alone installs; `npm install <pkg>` adds one package.
        if (args.length <= 1) add('installs-deps', 'info', `${joined}: installs dependencies, which runs this project's install scripts`);
        else result.benign = false;
        result.runsScripts.push('install');
        continue;
      }
      if (sub === 'run' || sub === 'run-script') {
        if (args[1]) result.runsScripts.push(args[1]);
        add('runs-script', 'info', joined);
        continue;
      }
      if (sub === 'start' || sub === 'test' || sub === 'restart' || sub === 'stop') {
        result.runsScripts.push(sub);
        add('runs-script', 'info', joined);
        continue;
      }
      if (prog !== 'npm' && !PM_BUILTINS.has(sub)) {
        result.runsScripts.push(sub);
        add('runs-script', 'info', joined);
        continue;
      }
      add('other', 'info', joined);
      continue;
    }

    // An interpreter running a local file, or a path run directly.
    if (INTERPRETERS.has(prog)) {
      const file = argv.slice(1).find((a) => !a.startsWith('-') && a !== 'run');
      if (file && !/^https?:/i.test(file)) {
        result.runsFiles.push(file);
        add('runs-file', 'info', `${prog} ${file}`);
        continue;
      }
    } else if (/^\.{0,2}\//.test(argv[0]) || /\.(?:sh|js|cjs|mjs|py|bat|cmd|ps1)$/i.test(argv[0])) {
      result.runsFiles.push(argv[0]);
      add('runs-file', 'info', argv[0]);
      continue;
    } else if (prog === 'make' || prog === 'gmake') {
      const target = argv.slice(1).find((a) => !a.startsWith('-')) ?? '';
      result.runsFiles.push(`Makefile#${target}`);
      add('runs-file', 'info', joined);
      continue;
    }
    if (!result.devServer) add('other', 'info', joined);
  }
  result.severity = maxSeverity(result.traits.map((t) => t.severity));
  return result;
}

/** The traits worth showing a person, most severe first. */
export function notableTraits(a: CommandAnalysis, floor: Severity = 'medium'): Trait[] {
  return a.traits.filter((t) => rank(t.severity) >= rank(floor)).sort((x, y) => rank(y.severity) - rank(x.severity));
}
