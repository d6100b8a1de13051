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
import { decodeBase64 } from './decode.js';
import { allInstallers } from './installers.js';
import type { VendorInstaller } from '../signatures/types.js';

export type TraitKind =
  | 'pipe-to-shell'
  | 'vendor-installer'
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
  osascript: ['-e'],
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

// PowerShell that runs what it downloads, judged on the code text: `iex (iwr …)`, `IEX (New-Object Net.WebClient)
// .DownloadString(…)`, `[scriptblock]::Create((irm …))`, or a download to a file that is then started. These words
// do not occur in sh or cmd command lines, so the check is safe on any command.
const PS_RUN = /\b(?:iex|invoke-expression)\b|\[scriptblock\]::create\b/i;
const PS_DOWNLOAD = /\b(?:iwr|irm|invoke-webrequest|invoke-restmethod|downloadstring|downloaddata|start-bitstransfer|net\.webclient|msxml2\.xmlhttp|winhttp\.winhttprequest)\b/i;
const PS_TO_FILE = /\s-outfile\b|\.downloadfile\s*\(|\bstart-bitstransfer\b/i;
const PS_START = /\b(?:start-process|saps|invoke-item)\b|(?:^|[;({]\s?)&\s?['"$(]/i;

function powershellRunsDownload(code: string): string | undefined {
  if (!PS_DOWNLOAD.test(code)) return undefined;
  if (PS_RUN.test(code)) return 'PowerShell runs code it downloads (Invoke-Expression of a web request)';
  if (PS_TO_FILE.test(code) && PS_START.test(code)) return 'PowerShell downloads a file and starts it';
  return undefined;
}

/** The commands inside `$(…)` and backticks with where they start, outermost first: a linear scan, at most 8. */
export function substitutions(s: string): { start: number; inner: string }[] {
  const out: { start: number; inner: string }[] = [];
  for (let i = 0; i < s.length && out.length < 8; i++) {
    if (s[i] === '$' && s[i + 1] === '(' && s[i + 2] !== '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < s.length; j++) {
        if (s[j] === '(') depth++;
        else if (s[j] === ')' && --depth === 0) break;
      }
      out.push({ start: i, inner: s.slice(i + 2, j) });
      i = j;
    } else if (s[i] === '`') {
      const j = s.indexOf('`', i + 1);
      if (j < 0) break;
      out.push({ start: i, inner: s.slice(i + 1, j) });
      i = j;
    }
  }
  return out;
}

function basenameOf(prog: string): string {
  const b = prog.replace(/\\/g, '/').split('/').pop() ?? prog;
  return b.toLowerCase().replace(/\.(?:exe|cmd|bat)$/, '');
}

/** procSubs: the commands of `<(…)` process substitutions among the arguments (`bash <(curl …)`). */
type Segment = { argv: string[]; background: boolean; pipeFrom: boolean; pipeTo: boolean; procSubs?: string[] };

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
  let procSub: string[] | undefined;
  for (const e of entries) {
    if (procSub) {
      if (typeof e === 'object' && 'op' in e && e.op === ')') {
        (cur.procSubs ??= []).push(procSub.join(' '));
        procSub = undefined;
      } else if (typeof e === 'string') procSub.push(e);
      else if ('op' in e) procSub.push(String(e.op));
      continue;
    }
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
      } else if (op === '<(') {
        procSub = [];
      } else if (op === '>' || op === '>>' || op === '<' || op === '>&' || op === '2>' || op === '&>') {
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
  /** The enclosing command's text was already judged to run a download: do not report it again. */
  textChecked?: boolean;
  /** The command was decoded from base64 or an encoded PowerShell: a vendor installer inside it is hidden, not ordinary. */
  decoded?: boolean;
}

/** A shell in a pipeline reads its script from stdin unless it is given a file: `sh`, `sh -`, `bash -s -- -y`. */
function readsStdin(argv: string[]): boolean {
  for (const a of argv.slice(1)) {
    if (a === '-s' || a === '-' || a === '--') return true;
    if (!a.startsWith('-')) return false;
  }
  return true;
}

function installerDetail(found: VendorInstaller[], what: string): string {
  const uniq = [...new Map(found.map((i) => [i.id, i])).values()];
  return `${what} the official installer of ${uniq.map((i) => `${i.vendor} (documented at ${i.docs})`).join(', ')}`;
}

// What precedes a substitution whose output is run: the start of a command, eval/source/`.`/iex, or an inline-code flag.
const RUNS_WHAT_FOLLOWS = /(?:^|[;&|(]|\b(?:eval|source|iex|invoke-expression)|\b(?:(?:ba|z|da|k)?sh|node|python[23]?|perl|ruby)\s(?:-[a-z]+\s)?-[ce]|(?:^|\s)\.)\s?["']?$/i;

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
  const remoteRunners = new Set(sigs.commands.remoteRunners ?? []);
  // Judged on the text, because shell-quote does not model them: PowerShell that runs a download, and
  // `$(curl …)` / `` `wget -qO- …` `` whose output is run (`bash -c "$(curl …)"`, `eval "$(…)"`, a line starting with it).
  const ranSub = opts.textChecked
    ? undefined
    : substitutions(command).find((sub) => {
        const first = segments(sub.inner)[0]?.argv[0];
        return first !== undefined && downloaders.has(basenameOf(first)) && RUNS_WHAT_FOLLOWS.test(command.slice(Math.max(0, sub.start - 40), sub.start));
      });
  // `sh -c "$(curl -sSfL https://release.anza.xyz/stable/install)"`: the vendor's documented form, unless decoded.
  // `irm https://astral.sh/uv/install.ps1 | iex` likewise, when every URL of the command is an installer.
  const psRuns = opts.textChecked ? undefined : powershellRunsDownload(command);
  const subInstaller = opts.decoded || opts.textChecked ? undefined : psRuns ? allInstallers(extractUrls(command), sigs) : ranSub ? allInstallers(extractUrls(ranSub.inner), sigs) : undefined;
  const textRuns = opts.textChecked || subInstaller
    ? undefined
    : (psRuns ?? (ranSub ? `runs the output of a download (\`${ranSub.inner.trim().slice(0, 160)}\`)` : undefined));
  const textChecked = opts.textChecked || textRuns !== undefined || subInstaller !== undefined;
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
  // The URLs of the download that feeds the current pipeline.
  let pipedUrls: string[] = [];
  // The URLs of the download saved to downloadedFile.
  let fileUrls: string[] = [];
  // Text flowing down a pipeline from `echo …`, decoded by `base64 -d` on the way.
  let piped: { text: string; decoded: boolean } | undefined;
  for (const seg of segs) {
    let argv = seg.argv.slice();
    let background = seg.background;
    let hidden = false;
    if (!seg.pipeFrom) piped = undefined;
    // Peel wrappers that change how, not what, runs.
    for (let guard = 0; guard < 8 && argv.length; guard++) {
      const p = basenameOf(argv[0]);
      if (/^[A-Z_]\w*=/i.test(argv[0])) argv = argv.slice(1);
      else if (p === 'sudo') {
        // sudo's own options come before the command: `sudo -E bash -`, `sudo -u node sh`.
        let i = 1;
        while (i < argv.length && argv[i].startsWith('-') && argv[i] !== '--') i += /^-[ugCDhprtUT]$/.test(argv[i]) ? 2 : 1;
        argv = argv.slice(argv[i] === '--' ? i + 1 : i);
      } else if (p === 'env' || p === 'exec' || p === 'command' || p === 'time' || p === 'call') argv = argv.slice(1);
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
      } else if (p === 'conhost' && argv.length > 1) {
        // `conhost --headless powershell …` runs the command with no window at all.
        if (argv.some((a) => a.toLowerCase() === '--headless')) hidden = true;
        argv = argv.slice(1).filter((a) => !a.startsWith('--'));
      } else if (p === 'npx' || p === 'pnpx' || p === 'bunx' || (p === 'pnpm' && argv[1] === 'dlx') || (p === 'yarn' && argv[1] === 'dlx')) {
        const rest = argv.slice(p === 'pnpm' || p === 'yarn' ? 2 : 1);
        argv = rest.filter((a) => !/^(?:-y|--yes|--no-install|-q|--quiet)$/.test(a));
      } else break;
    }
    if (argv.length === 0) continue;
    const prog = basenameOf(argv[0]);
    const joined = argv.join(' ');

    if (background) add('background', 'high', `launched in the background: ${joined}`);
    if (hidden && prog !== 'powershell' && prog !== 'pwsh') add('hidden-window', 'high', `runs without a window (conhost --headless): ${joined}`);

    // `bash <(curl …)`, `source <(wget -qO- …)`.
    const procDownload = seg.procSubs?.find((ps) => downloaders.has(basenameOf(ps.split(' ')[0] ?? '')));
    if (procDownload && (shells.has(prog) || prog === 'source' || prog === '.')) {
      const found = opts.decoded ? undefined : allInstallers(extractUrls(procDownload), sigs);
      if (found) {
        add('vendor-installer', 'low', `${installerDetail(found, `${prog} runs`)}: ${joined.slice(0, 200)}`);
        continue;
      }
      add('download-exec', 'critical', `${prog} runs the output of a download (process substitution <(${procDownload.slice(0, 160)})): ${joined.slice(0, 200)}`);
      continue;
    }
    // mshta, msiexec, regsvr32 … fetch and run what a URL or a network share names.
    if (remoteRunners.has(prog)) {
      const remote = argv.slice(1).find((a) => /^(?:\/i:)?(?:https?|ftp):\/\//i.test(a) || a.startsWith('\\\\'));
      if (remote) {
        add('download-exec', 'critical', `${prog} runs code it fetches from ${remote.slice(0, 160)}: ${joined.slice(0, 200)}`);
        continue;
      }
      const script = argv.slice(1).find((a) => /^(?:vbscript|javascript):/i.test(a));
      if (script) {
        const net = NET_CUES.test(script) || /msxml2|winhttp|\bget\b/i.test(script);
        const exec = EXEC_CUES.test(script) || /\b(?:run|execute|shell)\b/i.test(script);
        add('inline-code', net && exec ? 'critical' : 'high', `${prog} runs inline script${net ? ' that uses the network' : ''}: ${script.slice(0, 200)}`);
        continue;
      }
    }

    if ((prog === 'echo' || prog === 'printf') && seg.pipeTo) piped = { text: argv.slice(1).filter((a) => !/^-[neE]+$/.test(a)).join(' '), decoded: false };
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
          if (decoded && depth < 3) merge(analyseCommand(decoded, sigs, { depth: depth + 1, textChecked, decoded: true }), 'encoded PowerShell');
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
        // AppleScript's `do shell script "…"` hands its string to sh.
        const appleShell = prog === 'osascript' ? /do shell script\s+"((?:[^"\\]|\\.)*)"/i.exec(code)?.[1] : undefined;
        if (appleShell !== undefined) {
          if (depth < 3) merge(analyseCommand(appleShell.replace(/\\(.)/g, '$1'), sigs, { depth: depth + 1, textChecked, decoded: opts.decoded }), 'osascript do shell script');
        } else if (SHELL_LIKE.has(prog)) {
          if (depth < 3) merge(analyseCommand(code, sigs, { depth: depth + 1, textChecked, decoded: opts.decoded }), `${prog} ${argv[idx]}`);
        } else {
          const net = NET_CUES.test(code);
          const exec = EXEC_CUES.test(code);
          // Inline code that loads a local file runs that file: follow it like `node <file>`.
          const local = [...code.matchAll(/\b(?:require|import)\(\s*['"](\.{1,2}\/[^'"]{1,200})['"]\s*\)/g)].map((x) => x[1]);
          result.runsFiles.push(...local);
          // With no network or execution cue (`fs.rmSync` of stale shims, an import of a local script that is followed
          // on its own) inline code is worth a line, not a warning.
          const sev: Severity = net && exec ? 'critical' : net || exec ? 'high' : 'low';
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
      // certutil -urlcache -f <url> <file>: the last argument is where it lands.
      else if (prog === 'certutil' && argv.length > 2 && !/^[-/]|:\/\//.test(argv[argv.length - 1])) downloadedFile = argv[argv.length - 1];
      if (downloadedFile) fileUrls = extractUrls(joined);
      if (seg.pipeTo) {
        // The next segment decides: a shell means the download runs.
        pipedUrls = extractUrls(joined);
        continue;
      }
      // A vendor's installer saved to a file (`curl -fsSL https://get.docker.com -o get-docker.sh`) is that installer.
      const saved = opts.decoded ? undefined : allInstallers(extractUrls(joined), sigs);
      add('download', saved ? 'low' : 'medium', saved ? installerDetail(saved, 'downloads') : `downloads: ${joined}`);
      continue;
    }
    if (prog === 'base64' && seg.pipeFrom && piped && argv.slice(1).some((a) => /^(?:-d|-D|--decode)$/.test(a))) {
      const text = decodeBase64(piped.text.replace(/\s+/g, ''));
      piped = text === undefined ? undefined : { text, decoded: true };
      add('other', 'info', joined);
      continue;
    }
    if (seg.pipeFrom && piped?.decoded && shells.has(prog)) {
      add('other', 'high', `pipes base64-decoded text into ${prog}: ${piped.text.slice(0, 200)}`);
      if (depth < 3) merge(analyseCommand(piped.text, sigs, { depth: depth + 1, textChecked, decoded: true }), 'base64 -d | ' + prog);
      continue;
    }
    if (seg.pipeFrom && (shells.has(prog) || prog === 'iex' || prog === 'invoke-expression') && readsStdin(argv)) {
      const fromDownload = downloadSeen;
      const found = fromDownload && !opts.decoded ? allInstallers(pipedUrls, sigs) : undefined;
      if (found) {
        add('vendor-installer', 'low', `${installerDetail(found, `pipes into ${prog}`)}: ${command.slice(0, 200)}`);
        continue;
      }
      add(fromDownload ? 'pipe-to-shell' : 'other', fromDownload ? 'critical' : 'medium', `${fromDownload ? 'pipes a download into' : 'pipes text into'} ${prog}: ${command.slice(0, 200)}`);
      continue;
    }
    if (downloadedFile && (joined.includes(downloadedFile) && (/^(?:chmod|sh|bash|zsh|\.|source|node|python3?|start|open|cmd|powershell|pwsh)$/.test(prog) || argv[0].includes(downloadedFile)))) {
      const found = opts.decoded ? undefined : allInstallers(fileUrls, sigs);
      if (found) {
        add('vendor-installer', 'low', `${installerDetail(found, `${prog} runs the saved copy of`)}: ${joined.slice(0, 200)}`);
        continue;
      }
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
  if (textRuns && !result.traits.some((t) => t.kind === 'pipe-to-shell' || t.kind === 'download-exec')) add('download-exec', 'critical', `${textRuns}: ${command.slice(0, 200)}`);
  if (subInstaller) {
    // The download inside the installer's own `$(…)` is that installer, not a second, unexplained download.
    result.traits = result.traits.filter((t) => t.kind !== 'download' || !allInstallers(extractUrls(t.detail), sigs));
    add('vendor-installer', 'low', `${installerDetail(subInstaller, 'runs')}: ${command.slice(0, 200)}`);
  }
  result.severity = maxSeverity(result.traits.map((t) => t.severity));
  return result;
}

/** The traits worth showing a person, most severe first. */
export function notableTraits(a: CommandAnalysis, floor: Severity = 'medium'): Trait[] {
  return a.traits.filter((t) => rank(t.severity) >= rank(floor)).sort((x, y) => rank(y.severity) - rank(x.severity));
}
