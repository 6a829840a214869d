/**
 * An attribute filter as a PostgreSQL condition on a jsonb expression. jsonb comparisons are typed
 * as JSON is: a string never equals a number, a boolean only true/false. A missing key fails every
 * comparison but `ne` and `nin`. Values are parameters, numbered from `params.length + 1`.
 */
import type { AttributeFilter, ComparisonFilter } from '../../protocol/attribute-filter.js';

const ORDERING = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Appends the filter's values to `params` and returns the condition. */
export function pgAttributeCondition(filter: AttributeFilter, column: string, params: unknown[]): string {
  if ('filters' in filter) {
    if (filter.filters.length === 0) return filter.type === 'and' ? 'true' : 'false';
    const parts = filter.filters.map((inner) => pgAttributeCondition(inner, column, params));
    return `(${parts.join(filter.type === 'and' ? ' AND ' : ' OR ')})`;
  }
  return comparison(filter, column, params);
}

function comparison(filter: ComparisonFilter, column: string, params: unknown[]): string {
  params.push(filter.key);
  const value = `(${column} -> $${params.length})`;
  switch (filter.type) {
    case 'eq':
    case 'ne':
    case 'in':
    case 'nin': {
      const values = Array.isArray(filter.value) ? filter.value : [filter.value];
      params.push(JSON.stringify(values));
      // Membership in a jsonb array compares each element with jsonb equality (typed).
      const any = `COALESCE($${params.length}::jsonb @> jsonb_build_array(${value}), false)`;
      return filter.type === 'ne' || filter.type === 'nin' ? `NOT ${any}` : any;
    }
    default: {
      const bound = filter.value;
      if (typeof bound !== 'number' && typeof bound !== 'string') return 'false';
      params.push(bound);
      // Numbers order against numbers and strings against strings; CASE keeps the cast from
      // ever seeing a value of another type.
      return typeof bound === 'number'
        ? `COALESCE(CASE WHEN jsonb_typeof(${value}) = 'number' THEN (${value})::numeric ${ORDERING[filter.type]} $${params.length}::numeric END, false)`
        : `COALESCE(CASE WHEN jsonb_typeof(${value}) = 'string' THEN (${value} #>> '{}') ${ORDERING[filter.type]} $${params.length}::text COLLATE "C" END, false)`;
    }
  }
}
