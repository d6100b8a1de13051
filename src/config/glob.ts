/**
 * Path globs for config (`ignore-paths`, suppression `path`): `**` any run of segments, `*` any characters but
 * '/', `?` one character but '/'. Matched by a bounded dynamic programme, never a regex, so a hostile path
 * cannot make it backtrack. A pattern without '/' matches a file or folder name at any depth, as in .gitignore.
 */
export function globMatch(pattern: string, path: string): boolean {
  let p = pattern.replace(/^\.\//, '');
  while (p.endsWith('/')) p = p.slice(0, -1);
  if (!p.includes('/')) return matchPath(`**/${p}`, path) || matchPath(`**/${p}/**`, path);
  // 'dir/' style or 'dir/**': a folder pattern also matches everything below it.
  return matchPath(p, path) || matchPath(`${p}/**`, path);
}

function matchPath(p: string, s: string): boolean {
  // Rows over pattern positions, columns over path positions: O(pattern × path) time, O(path) memory.
  const n = p.length;
  const m = s.length;
  let prev = new Uint8Array(m + 1);
  let cur = new Uint8Array(m + 1);
  prev[0] = 1;
  for (let i = 0; i < n; i++) {
    cur.fill(0);
    const c = p[i];
    if (c === '*' && p[i + 1] === '*') {
      // '**' alone matches any string; '**/' matches nothing or any string ending in '/'.
      const skipSlash = p[i + 2] === '/';
      let any = 0;
      for (let j = 0; j <= m; j++) {
        if (skipSlash) {
          cur[j] = prev[j] | (j > 0 && s[j - 1] === '/' ? any : 0);
          any = any | prev[j];
        } else {
          any = any | prev[j];
          cur[j] = any;
        }
      }
      [prev, cur] = [cur, prev];
      // '**/' may match nothing at all ('a/**/b' matches 'a/b'), so the slash goes with it.
      i += skipSlash ? 2 : 1;
      continue;
    }
    for (let j = 0; j <= m; j++) {
      if (c === '*') {
        cur[j] = prev[j] | (j > 0 && s[j - 1] !== '/' ? cur[j - 1] : 0);
      } else if (j > 0 && prev[j - 1] && (c === '?' ? s[j - 1] !== '/' : s[j - 1] === c)) {
        cur[j] = 1;
      }
    }
    [prev, cur] = [cur, prev];
  }
  return prev[m] === 1;
}

