/** Cursor pagination over rows ordered by an integer position (input items, conversation items). */
import type { Page, PageQuery, StoredItem } from '../types.js';
import { type Db, first, rows } from './pg-database.js';

interface ListSource {
  table: string;
  /** Condition selecting one list, with `$1…$n` for `scope`. */
  where: string;
  scope: unknown[];
  /** Column holding the public item id used as cursor. */
  idColumn: string;
}

export async function paginate(db: Db, source: ListSource, query: PageQuery): Promise<Page<StoredItem>> {
  const conditions = [source.where];
  const params = [...source.scope];
  const ascending = query.order === 'asc';
  const cursorPosition = async (id: string) =>
    (
      await first<{ position: number }>(
        db,
        `SELECT position FROM ${source.table} WHERE ${source.where} AND ${source.idColumn} = $${source.scope.length + 1}`,
        [...source.scope, id],
      )
    )?.position;
  for (const [cursor, forward] of [
    [query.after, true],
    [query.before, false],
  ] as const) {
    if (cursor === undefined) continue;
    const position = await cursorPosition(cursor);
    if (position === undefined) continue;
    params.push(position);
    conditions.push(`position ${ascending === forward ? '>' : '<'} $${params.length}`);
  }
  params.push(query.limit + 1);
  const found = await rows<{ body: string }>(
    db,
    `SELECT body FROM ${source.table} WHERE ${conditions.join(' AND ')}
     ORDER BY position ${ascending ? 'ASC' : 'DESC'} LIMIT $${params.length}`,
    params,
  );
  const data = found.slice(0, query.limit).map((row) => JSON.parse(row.body) as StoredItem);
  return {
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: found.length > query.limit,
  };
}
