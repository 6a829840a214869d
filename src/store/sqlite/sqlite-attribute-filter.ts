/**
 * An attribute filter as an SQL condition on a JSON `attributes` column. Comparisons are typed as
 * JSON is: a string never equals a number, and a boolean attribute matches true/false only
 * (json_extract alone gives booleans as 0/1, like numbers). A missing key fails every comparison
 * but `ne` and `nin`.
 */
import type { AttributeFilter, ComparisonFilter } from '../../protocol/attribute-filter.js';

export interface SqlCondition {
  sql: string;
  params: unknown[];
}

const ORDERING = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

export function attributeCondition(filter: AttributeFilter, column: string): SqlCondition {
  if ('filters' in filter) {
    if (filter.filters.length === 0) return { sql: filter.type === 'and' ? '1' : '0', params: [] };
    const parts = filter.filters.map((inner) => attributeCondition(inner, column));
    return {
      sql: `(${parts.map((part) => part.sql).join(filter.type === 'and' ? ' AND ' : ' OR ')})`,
      params: parts.flatMap((part) => part.params),
    };
  }
  return comparison(filter, column);
}

function comparison(filter: ComparisonFilter, column: string): SqlCondition {
  const path = `$."${filter.key.replaceAll('"', '\\"')}"`;
  switch (filter.type) {
    case 'eq':
    case 'ne':
    case 'in':
    case 'nin': {
      const values = Array.isArray(filter.value) ? filter.value : [filter.value];
      const matches = values.map((value) => typedEquals(column, path, value));
      const any: SqlCondition =
        matches.length === 0
          ? { sql: '0', params: [] }
          : { sql: matches.map((m) => m.sql).join(' OR '), params: matches.flatMap((m) => m.params) };
      const negated = filter.type === 'ne' || filter.type === 'nin';
      return { sql: `${negated ? 'NOT ' : ''}COALESCE(${any.sql}, 0)`, params: any.params };
    }
    default: {
      const value = filter.value;
      if (typeof value !== 'number' && typeof value !== 'string') return { sql: '0', params: [] };
      // Numbers order against numbers and strings against strings.
      const kinds = typeof value === 'number' ? "('integer', 'real')" : "('text')";
      return {
        sql: `COALESCE(json_type(${column}, ?) IN ${kinds} AND json_extract(${column}, ?) ${ORDERING[filter.type]} ?, 0)`,
        params: [path, path, value],
      };
    }
  }
}

function typedEquals(column: string, path: string, value: string | number | boolean): SqlCondition {
  const extracted = `json_extract(${column}, ?) = ?`;
  if (typeof value === 'boolean') {
    return {
      sql: `(${extracted} AND json_type(${column}, ?) = ?)`,
      params: [path, value ? 1 : 0, path, value ? 'true' : 'false'],
    };
  }
  const kinds = typeof value === 'number' ? "('integer', 'real')" : "('text')";
  return { sql: `(${extracted} AND json_type(${column}, ?) IN ${kinds})`, params: [path, value, path] };
}
