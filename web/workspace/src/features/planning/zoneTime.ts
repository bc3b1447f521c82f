//! Planning times on the organisation's wall clock: the server sends UTC ms and lays plans out
//! on the zone's half hours, so the page shows every interval, shift and chart axis in that zone
//! (a planner in Shanghai sees a 09:00 shift at 09:00 whatever the browser's zone).

/** The zone's wall-clock fields at `ms`; the browser's zone when `zone` is null or unknown. */
function wallParts(ms: number, zone: string | null): Record<string, number> {
  const opts: Intl.DateTimeFormatOptions = {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  };
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-US', { ...opts, timeZone: zone ?? undefined });
  } catch {
    fmt = new Intl.DateTimeFormat('en-US', opts);
  }
  const out: Record<string, number> = {};
  for (const p of fmt.formatToParts(new Date(ms))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return out;
}

const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');

/** `YYYY-MM-DD HH:mm` at `ms` in `zone`. */
export function stampIn(ms: number, zone: string | null): string {
  const p = wallParts(ms, zone);
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** The zone's wall clock at `ms` written as if it were UTC: what a chart drawn in UTC
 *  (`useUTC`) shows as the local time. */
export function wallMs(ms: number, zone: string | null): number {
  const p = wallParts(ms, zone);
  return Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0);
}
