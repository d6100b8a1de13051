/**
 * @yarnpkg/lockfile's tokeniser never ends on a string without a closing quote or a comment without a newline after
 * it: it appends `undefined` to the token until the string overflows (about 15 s of CPU and a gigabyte per file; a
 * yarn.lock of one `#` is enough). This walks the text the way the tokeniser does and finds such a token first.
 */

/** The text to hand the tokeniser (a final newline ends a trailing comment), or the 1-based line of an unterminated string. */
export function guardYarnV1(text: string): { text: string } | { unterminatedLine: number } {
  const t = text.endsWith('\n') ? text : `${text}\n`;
  let i = 0;
  while (i < t.length) {
    const c = t[i];
    if (c === '\n' || c === '\r' || c === ' ' || c === ':' || c === ',') i++;
    else if (c === '#') i = t.indexOf('\n', i);
    else if (c === '"') {
      let j = i + 1;
      while (j < t.length && !(t[j] === '"' && !(t[j - 1] === '\\' && t[j - 2] !== '\\'))) j++;
      if (j >= t.length) return { unterminatedLine: t.slice(0, i).split('\n').length };
      i = j + 1;
    } else if (c >= '0' && c <= '9') {
      while (i < t.length && t[i] >= '0' && t[i] <= '9') i++;
    } else if (t.startsWith('true', i)) i += 4;
    else if (t.startsWith('false', i)) i += 5;
    else if (/[a-z/-]/i.test(c)) {
      while (i < t.length && !':  \n\r,'.includes(t[i])) i++;
    } else return { text: t }; // an invalid token: the parser stops there with an error
  }
  return { text: t };
}
