/** Wire shapes of the admin API (/admin/keys, /admin/usage): the gateway's own, not OpenAI's. */
import { z } from 'zod';

const positiveOrNull = z.number().int().positive().nullable();

/** Limits a key may carry; null clears one (on update), absent leaves it. */
const keyLimitsShape = {
  name: z.string().min(1).max(200).optional(),
  rpm: positiveOrNull.optional(),
  tpm: positiveOrNull.optional(),
  max_concurrent: positiveOrNull.optional(),
  budget_usd: z.number().min(0).nullable().optional(),
  budget_period: z.enum(['day', 'month']).nullable().optional(),
  /** Unix seconds. */
  expires_at: z.number().int().positive().nullable().optional(),
  models: z.array(z.string().min(1)).min(1).nullable().optional(),
};

export const createKeyBodySchema = z.strictObject({
  tenant: z.string().min(1).max(200),
  admin: z.boolean().optional(),
  ...keyLimitsShape,
});
export type CreateKeyBody = z.infer<typeof createKeyBodySchema>;

export const updateKeyBodySchema = z.strictObject(keyLimitsShape);
export type UpdateKeyBody = z.infer<typeof updateKeyBodySchema>;

/** Times are unix seconds or durations back from now (`24h`, `7d`, `30m`). */
export const usageQuerySchema = z.strictObject({
  since: z.string().optional(),
  until: z.string().optional(),
  group_by: z.enum(['key', 'tenant', 'model', 'provider']).default('model'),
  tenant: z.string().optional(),
});
export type UsageQueryParams = z.infer<typeof usageQuerySchema>;

/** The same range and grouping, cut into buckets of `bucket_width` (a duration: `5m`, `1h`, `1d`). */
export const usageBucketsQuerySchema = usageQuerySchema.extend({
  bucket_width: z.string().default('1h'),
});
export type UsageBucketsQueryParams = z.infer<typeof usageBucketsQuerySchema>;
