/**
 * A union whose branch is chosen by looking at the value, for shapes `z.discriminatedUnion` cannot
 * express (e.g. input messages, whose `type` may be omitted). Only the chosen branch runs, so its
 * issues are reported as they are instead of a vague "no union member matched".
 */

import { z } from 'zod';

/**
 * @param pick returns the branch for an object value; every branch must produce a subtype of `Out`.
 * Non-object values are reported as `invalid_type` expecting an object.
 */
export function dispatch<Out>(pick: (value: Record<string, unknown>) => z.ZodType<Out>) {
  return z.unknown().transform((value, ctx): Out => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      ctx.addIssue({ code: 'invalid_type', expected: 'object', input: value, message: 'expected object' });
      return z.NEVER;
    }
    const result = pick(value as Record<string, unknown>).safeParse(value);
    if (result.success) return result.data;
    // Paths are relative to `value`; enclosing objects and arrays prefix them as usual.
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  });
}
