/**
 * A token count from an upstream's usage block: what a wire format declares a number may arrive as
 * anything (a string, an array, a negative or fractional number, NaN). Anything but a finite
 * non-negative number counts as 0, so one odd field cannot break the totals, the cost or the store.
 */
export function tokenCount(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? Math.floor(value) : 0;
}
