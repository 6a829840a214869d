/** Cursor pagination over rows ordered by an integer position, shared by every list endpoint. */
import type { Page, PageQuery, StoredItem } from '../types.js';
import type { SqliteDatabase } from './open-database.js';

interface ListSource {
  /** SQL selecting `position` and `body` rows of one list; must take the `scope` parameters. */
  table: string;
  where: string;
  scope: unknown[];
  /** Column holding the public item id used as cursor. */
  idColumn: string;
}

export function paginate(db: SqliteDatabase, source: ListSource, query: PageQuery): Page<StoredItem> {
  const conditions = [source.where];
  const params = [...source.scope];
  const cursorPosition = (id: string): number | undefined => {
    const row = db
      .prepare(`SELECT position FROM ${source.table} WHERE ${source.where} AND ${source.idColumn} = ?`)
      .get(...source.scope, id) as { position: number } | undefined;
    return row?.position;
  };
  const ascending = query.order === 'asc';
  if (query.after !== undefined) {
    const position = cursorPosition(query.after);
    if (position !== undefined) {
      conditions.push(ascending ? 'position > ?' : 'position < ?');
      params.push(position);
    }
  }
  if (query.before !== undefined) {
    const position = cursorPosition(query.before);
    if (position !== undefined) {
      conditions.push(ascending ? 'position < ?' : 'position > ?');
      params.push(position);
    }
  }
  const rows = db
    .prepare(
      `SELECT body FROM ${source.table} WHERE ${conditions.join(' AND ')}
       ORDER BY position ${ascending ? 'ASC' : 'DESC'} LIMIT ?`,
    )
    .all(...params, query.limit + 1) as Array<{ body: string }>;
  const hasMore = rows.length > query.limit;
  const data = rows.slice(0, query.limit).map((row) => JSON.parse(row.body) as StoredItem);
  return {
    data,
    first_id: data[0]?.id ?? null,
    last_id: data[data.length - 1]?.id ?? null,
    has_more: hasMore,
  };
}
