// Starts Verdaccio (the devDependency, pinned at 6.8.0) on loopback with NO uplinks: nothing it serves comes from,
// or goes to, the internet. Used by the fixture generator and by tests that need an npm registry.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { fetch } = globalThis;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url, ms) {
  const until = Date.now() + ms;
  for (;;) {
    try {
      const r = await fetch(url);
      if (r.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > until) throw new Error(`verdaccio did not answer at ${url}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Start Verdaccio; returns { url, token, stop() }. `url` ends with '/'. */
export async function startVerdaccio() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lurescan-verdaccio-'));
  const port = await freePort();
  const config = [
    `storage: ${path.join(dir, 'storage')}`,
    `auth:`,
    `  htpasswd:`,
    `    file: ${path.join(dir, 'htpasswd')}`,
    `    max_users: 100`,
    `uplinks: {}`,
    `packages:`,
    `  '**':`,
    `    access: $all`,
    `    publish: $authenticated`,
    `    unpublish: $authenticated`,
    `log: { type: stdout, format: pretty, level: error }`,
    `web: { enable: false }`,
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'config.yaml'), config);
  const bin = path.join(path.dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');
  const child = spawn(process.execPath, [bin, '--config', path.join(dir, 'config.yaml'), '--listen', `127.0.0.1:${port}`], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}/`;
  await waitFor(`${url}-/ping`, 30_000);
  const res = await fetch(`${url}-/user/org.couchdb.user:fixture`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'fixture', password: 'fixture-password' }),
  });
  const { token } = await res.json();
  if (!token) throw new Error(`verdaccio did not issue a token (HTTP ${res.status})`);
  return {
    url,
    port,
    token,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
