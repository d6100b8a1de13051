import { defineRule, visitedTexts, type RuleContext, type TextVisitor } from './define-rule.js';
import { bundleInfo } from '../analysis/bundle.js';
import { isDocPath, isTestPath, locate } from '../analysis/source-evidence.js';
import type { Evidence, Severity } from '../types.js';
import type { SourcePatterns } from '../signatures/types.js';

const CANDIDATE = /\.(?:[cm]?[jt]sx?|py|pyw|json|sh|ps1|bat|cmd|go|rs|rb|php)$/i;
/** Store links: an id in a web-store URL is a link, not a target. */
const STORE_LINK = /(?:chromewebstore\.google\.com|chrome\.google\.com\/webstore|microsoftedge\.microsoft\.com\/addons)\/detail\/(?:[\w%-]{1,120}\/)?$/i;

const anyMarker = new WeakMap<SourcePatterns, RegExp>();
/**
 * One pass for "does the text hold any wallet id or profile path at all": most files hold none, and one alternation
 * scans the text once where an indexOf per id and per path scanned it 35 times (2.3× faster on a node_modules).
 */
function markerTest(p: SourcePatterns): RegExp {
  let re = anyMarker.get(p);
  if (!re) {
    const tokens = [...p.walletExtensions.map((w) => w.id), ...p.browserProfileMarkers].map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    re = new RegExp(tokens.join('|'));
    anyMarker.set(p, re);
  }
  return re;
}

export default defineRule({
  meta: {
    id: 'stealer-fingerprint',
    title: 'Browser-wallet and credential stealer',
    description:
      'Lists of browser wallet extension ids (MetaMask, Phantom, Coinbase, TronLink, Binance … from signatures/patterns/source.json) together with browser ' +
      'profile paths (`Local Extension Settings`, `Login Data`, `Local State`, `login.keychain-db`, `exodus.wallet`, `.config/solana/id.json`) and an upload ' +
      '(FormData, `/uploads`, a POST). Ids that appear only inside web-store links (a dApp listing wallets) stay quiet; ids without profile paths are low.',
    severity: 'critical',
    confidence: 'high',
    techniques: ['T14'],
    remediation: 'This code steals wallets, passwords and cookies. If it ran, move funds from every wallet on that machine from a clean device and rotate all passwords and sessions.',
  },
  async check(ctx) {
    await visitedTexts(ctx, fingerprintsIn);
  },
  eachText: fingerprintsIn,
});

/** The per-file part: wallet ids, profile paths and uploads in each candidate text, reported per file. */
function fingerprintsIn(ctx: RuleContext): TextVisitor {
  const p = ctx.signatures.source;
  return {
    wants: (file) => file.kind === 'file' && file.size >= 32 && (CANDIDATE.test(file.path) || isDocPath(file.path)),
    visit(file, text) {
      if (!markerTest(p).test(text)) return;
      const ids: { name: string; index: number }[] = [];
      for (const w of p.walletExtensions) {
        let i = text.indexOf(w.id);
        while (i >= 0) {
          if (!STORE_LINK.test(text.slice(Math.max(0, i - 160), i))) {
            ids.push({ name: w.name, index: i });
            break;
          }
          i = text.indexOf(w.id, i + w.id.length);
        }
      }
      const profiles = p.browserProfileMarkers.filter((m) => text.includes(m));
      if (ids.length === 0 && profiles.length < 2) return;
      const uploads = p.uploadMarkers.filter((m) => text.includes(m));
      const doc = isDocPath(file.path);
      let severity: Severity;
      if (ids.length >= 2 && profiles.length && uploads.length) severity = 'critical';
      else if (ids.length >= 2 && profiles.length) severity = 'high';
      else if (ids.length && profiles.length && uploads.length) severity = 'high';
      else if (profiles.length >= 2 && uploads.length && /Login Data|Local Extension Settings|keychain/.test(profiles.join())) severity = 'high';
      else if (ids.length >= 3) severity = 'medium';
      else severity = 'low';
      if (doc || isTestPath(file.path)) severity = 'low';
      else if (bundleInfo(file.path, text, p).bundle && severity === 'critical') severity = 'high';
      if (severity === 'low' && ids.length === 0) return;
      const first = ids[0]?.index ?? text.indexOf(profiles[0]);
      const line = text.slice(0, first).split('\n').length;
      const evidence: Evidence[] = [
        ...(ids.length ? [{ kind: 'indicator' as const, value: `wallet extension ids: ${ids.map((x) => x.name).join(', ')}` }] : []),
        ...(profiles.length ? [{ kind: 'trait' as const, value: `browser profile / keychain paths: ${profiles.join(', ')}` }] : []),
        ...(uploads.length ? [{ kind: 'trait' as const, value: `upload: ${uploads.join(', ')}` }] : []),
      ];
      ctx.report({
        severity,
        confidence: severity === 'critical' || severity === 'high' ? 'high' : 'medium',
        message: `Stealer fingerprint: ${ids.length} wallet extension id(s)${profiles.length ? ` with ${profiles.slice(0, 3).join(', ')}` : ''}${uploads.length ? ' and an upload' : ''}`,
        location: locate({ path: file.path, text }, line),
        evidence,
        key: 'stealer',
      });
    },
  };
}
