/** Scalar and small building-block schemas shared by the request schemas. */

import { z } from 'zod';
import { addGatewayIssue, EXPECTED_INTEGER } from './issues.js';

export interface Bounds {
  min?: number;
  max?: number;
}

type NumberKind = 'integer' | 'decimal';

function checkBounds(kind: NumberKind, bounds: Bounds) {
  return (value: number, ctx: z.RefinementCtx): void => {
    if (bounds.max !== undefined && value > bounds.max) {
      const max = bounds.max;
      addGatewayIssue(ctx, {
        code: `${kind}_above_max_value`,
        message: (p) =>
          `Invalid '${p}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`,
      });
    } else if (bounds.min !== undefined && value < bounds.min) {
      const min = bounds.min;
      addGatewayIssue(ctx, {
        code: `${kind}_below_min_value`,
        message: (p) =>
          `Invalid '${p}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`,
      });
    }
  };
}

/** A JSON integer, optionally bounded (inclusive). */
export function integer(bounds: Bounds = {}) {
  return z
    .int({ error: (issue) => (issue.code === 'invalid_type' ? EXPECTED_INTEGER : undefined) })
    .superRefine(checkBounds('integer', bounds));
}

/** A JSON number ("decimal" in OpenAI's messages), optionally bounded (inclusive). */
export function decimal(bounds: Bounds = {}) {
  return z.number().superRefine(checkBounds('decimal', bounds));
}

/** An arbitrary JSON object, e.g. a JSON Schema. */
export const jsonObjectSchema = z.record(z.string(), z.unknown());

export const METADATA_MAX_PAIRS = 16;
export const METADATA_MAX_KEY_LENGTH = 64;
export const METADATA_MAX_VALUE_LENGTH = 512;

/** `metadata`: at most 16 string pairs, keys <= 64 chars, values <= 512 chars. */
export const metadataSchema = z
  .record(z.string(), z.string().max(METADATA_MAX_VALUE_LENGTH))
  .superRefine((metadata, ctx) => {
    const keys = Object.keys(metadata);
    if (keys.length > METADATA_MAX_PAIRS) {
      addGatewayIssue(ctx, {
        code: 'object_above_max_size',
        message: (p) =>
          `Invalid '${p}': too many properties. Expected an object with at most ${METADATA_MAX_PAIRS} properties, ` +
          `but got an object with ${keys.length} properties instead.`,
      });
      return;
    }
    const longKey = keys.find((key) => key.length > METADATA_MAX_KEY_LENGTH);
    if (longKey !== undefined) {
      addGatewayIssue(ctx, {
        code: 'string_above_max_length',
        message: (p) =>
          `Invalid '${p}': key too long. Expected a key with maximum length ${METADATA_MAX_KEY_LENGTH}, ` +
          `but got a key with length ${longKey.length} instead.`,
      });
    }
  });

/** Tool and json_schema names: 1-64 characters of a-z, A-Z, 0-9, underscore and dash. */
export const identifierSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-zA-Z0-9_-]+$/);

/** `status` as found on most replayed output items. */
export const itemStatusSchema = z.enum(['in_progress', 'completed', 'incomplete']);

/** `caller` on tool call items: the model itself, or a program run by programmatic tool calling. */
export const callerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('direct') }),
  z.strictObject({ type: z.literal('program'), caller_id: z.string() }),
]);

/** `allowed_callers` on tools. */
export const allowedCallersSchema = z.array(z.enum(['direct', 'programmatic']));
