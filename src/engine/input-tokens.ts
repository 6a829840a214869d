/**
 * `POST /v1/responses/input_tokens`: the input a create with the same body would send, counted
 * with the model's tokenizer (context resolved the same way; with `truncation: "auto"`, after the
 * items that would be dropped are dropped). Counting never calls the upstream and never fails for
 * length: a count is what the caller asked for.
 */
import type { ContextItem } from '../protocol/input-items.js';
import type { InputTokensBody } from '../protocol/input-tokens.js';
import { toModelMessages } from './convert-input.js';
import { fitContext } from './fit-context.js';
import { mediaParams } from './media/media-params.js';
import { DEFAULT_CONTEXT_WINDOW, type ModelLimits } from './model-limits.js';
import { resolveContext } from './resolve-context.js';
import type { ContextDeps } from './response-engine.js';
import { countContext, type FixedContext } from './tokens/count-tokens.js';
import { loadTokenizer } from './tokens/tokenizer.js';

export interface InputTokenCount {
  object: 'response.input_tokens';
  input_tokens: number;
}

export async function countInputTokens(
  deps: ContextDeps,
  body: InputTokensBody,
  tenantId: string,
): Promise<InputTokenCount> {
  const limits = limitsForCount(deps, body.model ?? undefined);
  const context = await resolveContext(
    {
      input: body.input ?? undefined,
      previousResponseId: body.previous_response_id,
      conversationId: conversationIdOf(body.conversation),
    },
    tenantId,
    deps.store,
    deps.sealer,
  );
  // The same checks a create runs on the items (unsupported types, bad content, unknown file
  // ids) apply here; nothing is fetched.
  const conversationId = conversationIdOf(body.conversation);
  const media = await deps.media.resolve(context.modelInput, {
    tenantId,
    urls: 'all',
    paramOf: mediaParams(
      body,
      body.previous_response_id != null ? 'previous_response_id' : conversationId ? 'conversation' : 'input',
    ),
  });
  toModelMessages(body.instructions, context.modelInput, { media });
  const fixed: FixedContext = { instructions: body.instructions, tools: body.tools ?? [] };
  const tokenizer = await loadTokenizer(limits.tokenizer);
  let items: ContextItem[] = context.modelInput;
  if (body.truncation === 'auto') {
    try {
      items = fitContext(fixed, items, tokenizer, {
        truncation: 'auto',
        maxOutputTokens: undefined,
        limits,
      }).items;
    } catch {
      // Even truncated it does not fit: count it all, as asked.
    }
  }
  return { object: 'response.input_tokens', input_tokens: countContext(fixed, items, tokenizer) };
}

/** Without a model (optional here) or a provider for it, counts as OpenAI's current models do. */
function limitsForCount(deps: ContextDeps, model: string | undefined): ModelLimits {
  if (model === undefined) {
    return { contextWindow: DEFAULT_CONTEXT_WINDOW, maxOutputTokens: undefined, tokenizer: 'o200k_base' };
  }
  let provider: string | undefined;
  let modelId = model;
  try {
    const resolved = deps.registry.resolve(model);
    provider = resolved.model.provider;
    modelId = resolved.modelId;
  } catch {
    // No upstream serves it: counting needs none.
  }
  return deps.models.limitsFor(provider, modelId);
}

export function conversationIdOf(
  conversation: string | { id: string } | null | undefined,
): string | undefined {
  if (conversation == null) return undefined;
  return typeof conversation === 'string' ? conversation : conversation.id;
}
