/** When `--since 24h`, `--expires 30d` or `?since=…` mean: a duration, unix seconds or an ISO date. */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** A duration (`90s`, `30m`, `24h`, `7d`, `2w`) in ms, or undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhdw])$/.exec(text.trim());
  return match ? Number(match[1]) * UNIT_MS[match[2]!]! : undefined;
}

/** A point in time, unix ms: `direction` says whether a duration counts back (since) or ahead (expires). */
export function parseTime(text: string, direction: 'ago' | 'ahead', now = Date.now()): number | undefined {
  const duration = parseDuration(text);
  if (duration !== undefined) return direction === 'ago' ? now - duration : now + duration;
  if (/^\d{9,11}$/.test(text)) return Number(text) * 1000;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? undefined : parsed;
}
