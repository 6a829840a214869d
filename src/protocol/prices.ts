/** GET /playground/prices: the gateway's own route (OpenAI has no price endpoint). */
import { z } from 'zod';

export const pricesQuerySchema = z.strictObject({
  /** A model name as a client sends it (resolved as the price table does); absent: the listed models. */
  model: z.string().min(1).max(256).optional(),
});
export type PricesQuery = z.infer<typeof pricesQuerySchema>;
