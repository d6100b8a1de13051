/** Small text helpers every rule shares: offsets to lines, bounded snippets. */

/** Offsets of every line start, for repeated offset → line lookups on one text. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }
  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo] + 1 };
  }
  /** The text of a 1-based line without its newline. */
  line(n: number): string {
    const start = this.starts[n - 1] ?? 0;
    const end = n < this.starts.length ? this.starts[n] - 1 : this.text.length;
    return this.text.slice(start, end).replace(/\r$/, '');
  }
  get lineCount(): number {
    return this.starts.length;
  }
}

/** A snippet short enough for a terminal: trimmed, whitespace runs collapsed, long text cut in the middle. */
export function snippet(s: string, max = 160): string {
  const t = s.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const half = Math.floor((max - 5) / 2);
  return `${t.slice(0, half)} … ${t.slice(t.length - half)}`;
}

/** Around an offset: the part of a long line that matters, not its first 160 characters. */
export function snippetAround(line: string, column: number, max = 160): string {
  if (line.length <= max) return snippet(line, max);
  const start = Math.max(0, column - 1 - Math.floor(max / 4));
  return snippet(`${start > 0 ? '…' : ''}${line.slice(start, start + max)}${start + max < line.length ? '…' : ''}`, max + 2);
}
