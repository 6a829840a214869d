/** Bodies of the Conversations API (openai `ConversationCreateParams`, `ItemCreateParams`, …). */
import { z } from 'zod';
import { inputItemSchema } from './create-response.js';
import { metadataSchema } from './primitives.js';

export const MAX_ITEMS_PER_CALL = 20;

export const createConversationSchema = z.strictObject({
  items: z.array(inputItemSchema).max(MAX_ITEMS_PER_CALL).nullable().optional(),
  metadata: metadataSchema.nullable().optional(),
});

export const updateConversationSchema = z.strictObject({
  /** Required, but may be null (openai `ConversationUpdateParams`): clears the metadata. */
  metadata: metadataSchema.nullable(),
});

export const addItemsSchema = z.strictObject({
  items: z.array(inputItemSchema).max(MAX_ITEMS_PER_CALL),
});
