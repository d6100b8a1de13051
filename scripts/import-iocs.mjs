#!/usr/bin/env node
// Turns ../shared/intel/network-iocs.tsv (facts from public reports) into signatures/iocs/<campaign>.json.
// Run again when the intel file changes; the output is data reviewed in the commit, not generated at build time.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const src = process.argv[2] ?? path.join('..', 'shared', 'intel', 'network-iocs.tsv');
const rows = readFileSync(src, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
const campaigns = new Map();
function campaignOf(context) {
  if (/axios/i.test(context)) return ['axios-compromise', 'axios 1.14.1 / 0.30.4 npm compromise (plain-crypto-js)'];
  if (/PolinRider/i.test(context)) return ['polinrider', 'PolinRider (appended build-config payloads)'];
  if (/OtterCookie/i.test(context)) return ['ottercookie', 'Contagious Interview / OtterCookie'];
  return ['contagious-interview', 'Contagious Interview (BeaverTail, InvisibleFerret, TaskJacker, ClickFake)'];
}
for (const [indicator, type, context, reference] of rows) {
  const [id, name] = campaignOf(context);
  if (!campaigns.has(id)) campaigns.set(id, { campaign: name, indicators: [] });
  let value = indicator.trim();
  if (type === 'github-account') value = value.toLowerCase();
  campaigns.get(id).indicators.push({ type, value, context, reference: reference || 'public report' });
}
for (const [id, data] of campaigns) {
  writeFileSync(path.join('signatures', 'iocs', `${id}.json`), JSON.stringify({ source: 'shared/intel/network-iocs.tsv', ...data }, null, 2) + '\n');
  console.log(`${id}: ${data.indicators.length}`);
}
