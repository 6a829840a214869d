/** A page out of rows read one past the limit: `has_more` without a count query. */
import type { Page } from '../types.js';

export function keysetPage<T>(rows: readonly T[], limit: number, idOf: (row: T) => string): Page<T> {
  const data = rows.slice(0, limit);
  return {
    data,
    first_id: data.length > 0 ? idOf(data[0]!) : null,
    last_id: data.length > 0 ? idOf(data[data.length - 1]!) : null,
    has_more: rows.length > limit,
  };
}
