/**
 * Vendors' official installers (signatures/patterns/installers.json): `curl -LsSf https://astral.sh/uv/install.sh | sh`
 * is how uv documents its own installation, not a loader. A URL is one only over https and when its host and path
 * match an entry exactly; the command analyser asks this before calling a download piped into a shell critical.
 */
import type { Signatures, VendorInstaller } from '../signatures/types.js';
import { urlBody } from './urls.js';

const compiled = new WeakMap<Signatures, { i: VendorInstaller; res: RegExp[] }[]>();

/** The installer a URL is, or undefined (plain http, another path, another host, a look-alike). */
export function vendorInstaller(url: string, sigs: Signatures): VendorInstaller | undefined {
  if (!/^https:\/\//i.test(url)) return undefined;
  let list = compiled.get(sigs);
  if (!list) {
    list = (sigs.installers ?? []).map((i) => ({ i, res: i.patterns.map((p) => new RegExp(p)) }));
    compiled.set(sigs, list);
  }
  const parts = urlBody(url);
  // No credentials, no explicit port: the documented command has neither.
  if (!parts || parts.hostPort !== parts.host || /^https:\/\/[^/]*@/i.test(url)) return undefined;
  const hash = parts.body.indexOf('#');
  const body = hash < 0 ? parts.body : parts.body.slice(0, hash);
  return list.find(({ res }) => res.some((re) => re.test(body)))?.i;
}

/** Every URL is a known installer: the installers, else undefined (no URL at all is not an installer either). */
export function allInstallers(urls: string[], sigs: Signatures): VendorInstaller[] | undefined {
  if (!urls.length) return undefined;
  const out: VendorInstaller[] = [];
  for (const u of urls) {
    const i = vendorInstaller(u, sigs);
    if (!i) return undefined;
    out.push(i);
  }
  return out;
}
