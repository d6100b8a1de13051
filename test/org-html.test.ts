/**
 * The org HTML report in a real headless browser (Debian's Chromium driven by playwright-core): it renders, logs
 * no console errors (a Content-Security-Policy violation would be one), makes no network request, keeps hostile
 * text as text, and its table sorts and filters. Outside CI the test skips when Chromium is absent; in CI it runs.
 * LURESCAN_SCREENSHOT=docs/org-report.png saves the screenshot kept in docs/.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { renderOrgHtml } from '../src/org/html.js';
import { sortEntries, totalsOf, type OrgEntry, type OrgReport } from '../src/org/types.js';
import { FIXTURES, ROOT, scanFolder, tempDir } from './helpers.js';
import { expectations } from './support/org-fixture.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const HOSTILE_FILE = '"><img src=x onerror="document.title=\'pwned\'">.js';
const HOSTILE_MESSAGE = "<script>document.title='pwned'</script> fetch('https://evil.invalid/x')";

async function buildReport(): Promise<OrgReport> {
  const exp = expectations();
  const names = [...exp.keys()].filter((n) => n.startsWith('lure-') || n.startsWith('benign-')).slice(0, 16);
  const entries: OrgEntry[] = [];
  for (const [i, name] of names.entries()) {
    const r = await scanFolder(path.join(FIXTURES, 'repos', name));
    entries.push({
      name, full_name: `acme/${name}`, owner: 'acme', listedVia: 'acme', verdict: r.verdict, headSha: (i + 1).toString(16).padStart(40, 'c'), defaultBranch: 'main',
      cloneUrl: `https://github.invalid/acme/${name}.git`, private: false, fork: false, archived: false, source: i % 3 ? 'scan' : 'state', attempts: 1,
      complete: r.complete, findings: r.findings, diagnostics: r.diagnostics, stats: r.stats, context: { notes: i === 0 ? ['single-commit history', 'owner account created 3 day(s) ago'] : [] }, scannedAt: '2026-11-25T12:00:00Z',
    });
  }
  entries.push({
    name: 'hostile', full_name: 'acme/hostile', owner: 'acme', listedVia: 'acme', verdict: 'block', headSha: 'd'.repeat(40), cloneUrl: 'https://github.invalid/acme/hostile.git',
    private: false, fork: false, archived: false, source: 'scan', attempts: 1, complete: true, diagnostics: [], context: { notes: ['<b>bold?</b>'] }, scannedAt: '2026-11-25T12:00:00Z',
    findings: [{ ruleId: 'c2-url', severity: 'critical', confidence: 'high', message: HOSTILE_MESSAGE, location: { file: HOSTILE_FILE, line: 1, snippet: '</pre><script>document.title="pwned"</script>' }, evidence: [{ kind: 'decoded', value: 'https://evil.invalid/settings/linux?flag=3 <iframe src="https://evil.invalid">' }], fingerprint: 'x' }],
  });
  entries.push({
    name: 'unreachable', full_name: 'acme/unreachable', owner: 'acme', listedVia: 'acme', verdict: 'error', cloneUrl: 'https://github.invalid/acme/unreachable.git', private: true, fork: false, archived: false,
    source: 'scan', attempts: 3, error: 'git: could not fetch https://github.invalid/acme/unreachable.git: fatal: repository not found', complete: false, findings: [], diagnostics: [], context: { notes: [] }, scannedAt: '2026-11-25T12:00:00Z',
  });
  const sorted = sortEntries(entries);
  return {
    kind: 'lurescan-org-report', schemaVersion: 1, tool: { name: 'lurescan', version: '0.1.0' }, signatures: { version: 'test' }, org: 'acme', users: [], apiUrl: 'https://api.github.com',
    startedAt: '2026-11-25T12:00:00Z', finishedAt: '2026-11-25T12:01:10Z', inventory: sorted.map((e) => e.full_name).sort(), skipped: { forks: 2, archived: 1 }, totals: totalsOf(sorted), repositories: sorted,
  };
}

describe('org HTML report in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let tmp: ReturnType<typeof tempDir>;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env.CI) throw new Error(`Chromium not found at ${CHROMIUM}; .ci/run installs Debian's chromium package`);
      console.log(`      (skipped: no Chromium at ${CHROMIUM}; apt-get install -y chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    tmp = tempDir('lurescan-org-html-');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  after(async () => {
    await browser?.close();
    tmp?.cleanup();
  });

  it('renders the answer first, with no console errors, no network requests, hostile text as text, and a working table', async () => {
    const report = await buildReport();
    const file = path.join(tmp.dir, 'org.html');
    writeFileSync(file, renderOrgHtml(report));
    const url = pathToFileURL(file).href;
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (r.url() !== url) requests.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForLoadState('load');

    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
    assert.match(await page.title(), /blocked of/);
    assert.doesNotMatch(await page.title(), /pwned/);
    assert.match(await page.locator('#answer').innerText(), /repositories are blocked/);
    const cards = await page.locator('.card b').allInnerTexts();
    assert.deepEqual(cards.map(Number), [report.totals.block, report.totals.warn, report.totals.pass, report.totals.error]);
    // The blocked list comes before the table and names every blocked repository.
    const blockedText = await page.locator('.blocked').innerText();
    for (const e of report.repositories.filter((x) => x.verdict === 'block')) assert.ok(blockedText.includes(e.full_name), e.full_name);
    assert.ok(blockedText.includes('evil.invalid/settings/linux'), 'the decoded indicator is shown');
    // Hostile strings are text: no element they describe exists, one script only, the text is visible verbatim.
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('iframe').count(), 0);
    assert.equal(await page.locator('script').count(), 1);
    assert.equal(await page.locator('main b', { hasText: 'bold?' }).count(), 0);
    const details = await page.locator('#repo-1').innerText();
    assert.ok(details.includes('<img src=x onerror='), details.slice(0, 300));
    assert.ok(details.includes("<script>document.title='pwned'</script>"));

    const visible = () => page.locator('#repos tbody tr:not(.hidden)').count();
    assert.equal(await visible(), report.totals.repos);
    await page.selectOption('#verdict', 'block');
    assert.equal(await visible(), report.totals.block);
    await page.selectOption('#verdict', '');
    await page.fill('#filter', 'benign');
    assert.equal(await visible(), report.repositories.filter((e) => e.name.includes('benign')).length);
    await page.fill('#filter', '');
    await page.locator('#repos th', { hasText: 'Findings' }).click();
    const counts = (await page.locator('#repos tbody tr td:nth-child(3)').allInnerTexts()).map(Number);
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b));
    await page.locator('#repos th', { hasText: 'Findings' }).click();
    const desc = (await page.locator('#repos tbody tr td:nth-child(3)').allInnerTexts()).map(Number);
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    await page.locator('#repos th', { hasText: 'Verdict' }).click();
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);

    const shot = process.env.LURESCAN_SCREENSHOT ? path.resolve(ROOT, process.env.LURESCAN_SCREENSHOT) : path.join(tmp.dir, 'org.png');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.screenshot({ path: shot, fullPage: false });
    assert.ok(existsSync(shot));
    await context.close();
  });
});
