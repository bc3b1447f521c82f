// Splits a search excerpt into plain and highlighted pieces. The server counts highlight ranges
// in Unicode characters (code points), so the text is sliced as Array.from(text), never by
// UTF-16 index (an emoji before the hit would shift it).

export interface Piece {
  text: string;
  hit: boolean;
}

export function pieces(text: string, highlights: readonly (readonly number[])[]): Piece[] {
  const chars = Array.from(text);
  const out: Piece[] = [];
  let at = 0;
  const ranges = [...highlights]
    .map(([s, e]) => [Math.max(0, s ?? 0), Math.min(chars.length, e ?? 0)] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  for (const [s, e] of ranges) {
    if (s < at) continue;
    if (s > at) out.push({ text: chars.slice(at, s).join(''), hit: false });
    out.push({ text: chars.slice(s, e).join(''), hit: true });
    at = e;
  }
  if (at < chars.length) out.push({ text: chars.slice(at).join(''), hit: false });
  return out;
}

/** [start, end) of a local day range as RFC 3339 instants: from the first day's 00:00 to the day after the last. */
export function dayRange(range: readonly [Date, Date] | null | undefined): { from?: string; to?: string } {
  if (!range) return {};
  const [a, b] = range;
  const start = new Date(a.getFullYear(), a.getMonth(), a.getDate());
  const end = new Date(b.getFullYear(), b.getMonth(), b.getDate() + 1);
  return { from: start.toISOString(), to: end.toISOString() };
}
