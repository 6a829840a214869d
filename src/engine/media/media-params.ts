/**
 * Where each media part sits in the client's request, for the `param` of an error about it. The
 * context keeps the client's own part objects (resolve-context.ts copies items, not their content
 * arrays; prompt templates insert variables as they are), so a part is found by identity; one
 * that is not the client's came from an earlier turn.
 */
import type { FieldParam } from './media-input.js';

interface Requested {
  input?: unknown;
  prompt?: { variables?: Record<string, unknown> | null } | null;
}

/** @param earlier the param for parts of earlier turns (`previous_response_id`, `conversation`). */
export function mediaParams(requested: Requested, earlier: string): (part: object) => FieldParam {
  let paths: Map<object, string> | undefined;
  return (part) => {
    paths ??= pathsOf(requested);
    const path = paths.get(part);
    return path === undefined ? () => earlier : (field) => `${path}.${field}`;
  };
}

function pathsOf(requested: Requested): Map<object, string> {
  const paths = new Map<object, string>();
  if (Array.isArray(requested.input)) {
    for (const [i, item] of requested.input.entries()) {
      const record = item as { content?: unknown; output?: unknown };
      for (const field of ['content', 'output'] as const) {
        const parts = record[field];
        if (!Array.isArray(parts)) continue;
        for (const [j, part] of parts.entries()) {
          if (part !== null && typeof part === 'object') paths.set(part, `input[${i}].${field}[${j}]`);
        }
      }
    }
  }
  for (const [name, value] of Object.entries(requested.prompt?.variables ?? {})) {
    if (value !== null && typeof value === 'object') paths.set(value, `prompt.variables.${name}`);
  }
  return paths;
}
