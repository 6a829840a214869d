/**
 * `POST /v1/responses/compact`: summarises the context (previous_response_id chain and input) with
 * the model and returns OpenAI's compacted window: the user messages, then one compaction item
 * standing for everything else. Sent back as input, it continues the conversation in fewer tokens.
 * Nothing is stored.
 */
import { invalidRequest } from '../../errors.js';
import { newId } from '../../ids.js';
import { nowSeconds } from '../../now-seconds.js';
import type { CompactBody } from '../../protocol/compact.js';
import type { ContextItem } from '../../protocol/input-items.js';
import { type CompactionItem, emptyUsage, type Usage } from '../../protocol/response.js';
import { toModelMessages } from '../convert-input.js';
import { mediaParams } from '../media/media-params.js';
import { resolveContext } from '../resolve-context.js';
import { toUsage } from '../response-emitter.js';
import type { ContextDeps } from '../response-engine.js';
import { makeCompaction } from './auto-compact.js';

export interface CompactedResponse {
  id: string;
  created_at: number;
  object: 'response.compaction';
  output: Array<Record<string, unknown> | CompactionItem>;
  usage: Usage;
}

export async function compactResponse(
  deps: ContextDeps,
  body: CompactBody,
  options: { tenantId: string; signal: AbortSignal },
): Promise<CompactedResponse> {
  const { model, modelId } = deps.registry.resolve(body.model);
  const context = await resolveContext(
    {
      input: body.input ?? undefined,
      previousResponseId: body.previous_response_id,
      conversationId: undefined,
    },
    options.tenantId,
    deps.store,
    deps.sealer,
  );
  const items = context.modelInput;
  if (items.length === 0) {
    throw invalidRequest(
      "There is nothing to compact: provide 'input' or 'previous_response_id'.",
      'input',
      'missing_required_parameter',
    );
  }
  const media = await deps.media.resolve(items, {
    tenantId: options.tenantId,
    urls: 'all',
    paramOf: mediaParams(body, 'previous_response_id'),
  });
  toModelMessages(body.instructions, items, { media });
  const limits = deps.models.limitsFor(model.provider, modelId);
  const userMessages = items.filter(isUserMessage);
  const compaction = await makeCompaction(items, userMessages.length, {
    model,
    modelId,
    limits,
    signal: options.signal,
    sealer: deps.sealer,
  });
  return {
    id: newId('resp'),
    created_at: nowSeconds(),
    object: 'response.compaction',
    output: [...userMessages.map(asOutputMessage), compaction.item],
    usage: toUsage(compaction.usage) ?? emptyUsage(),
  };
}

function isUserMessage(item: ContextItem): boolean {
  const message = item as { type?: string; role?: string };
  return (message.type === undefined || message.type === 'message') && message.role === 'user';
}

function asOutputMessage(item: ContextItem): Record<string, unknown> {
  const message = item as Record<string, unknown>;
  const content =
    typeof message.content === 'string' ? [{ type: 'input_text', text: message.content }] : message.content;
  return {
    id: typeof message.id === 'string' ? message.id : newId('msg'),
    type: 'message',
    status: 'completed',
    role: 'user',
    content,
  };
}
