/**
 * What the model sees for one request: earlier turns (previous_response_id chain or conversation
 * items), then this request's input with item references resolved, sealed reasoning and compaction
 * items opened, and what the last compaction replaced left out. Also the input as it is stored,
 * each item with an id.
 */
import { GatewayError, invalidRequest } from '../errors.js';
import { type IdPrefix, newId } from '../ids.js';
import type { InputItem } from '../protocol/create-response.js';
import { type ContextItem, isInputItem } from '../protocol/input-items.js';
import type { Store, StoredItem } from '../store/types.js';
import { applyCompaction, openCompactionItem } from './compaction/compaction-item.js';
import type { ReasoningSealer } from './reasoning-seal.js';

export interface ResolvedContext {
  /** Earlier turns and this input, ready for toModelMessages. */
  modelInput: ContextItem[];
  /** This request's input items as stored and listed by input_items, with ids. */
  storedInput: StoredItem[];
  /** How many leading items of modelInput come from earlier turns (after compaction). */
  earlierCount: number;
  /** The earlier turns as stored, before sealed and compaction items are opened. */
  earlier: StoredItem[];
}

export interface ContextRequest {
  input: string | readonly InputItem[] | undefined;
  previousResponseId: string | null | undefined;
  conversationId: string | undefined;
  /**
   * The chain previousResponseId names, when the caller already holds it (a WebSocket connection's
   * latest response): used instead of reading it from the store.
   */
  previousContext?: readonly StoredItem[] | undefined;
}

export async function resolveContext(
  request: ContextRequest,
  tenantId: string,
  store: Store,
  sealer: ReasoningSealer,
): Promise<ResolvedContext> {
  // Only earlier turns or item references need the store: the common request awaits nothing.
  const earlier =
    request.previousResponseId != null || request.conversationId !== undefined
      ? await loadEarlierTurns(request, tenantId, store)
      : [];
  const input = request.input ?? [];
  const storedInput =
    typeof input === 'string' ? [userTextItem(input)] : await itemsWithIds(input, tenantId, store);
  rejectDuplicateItems(storedInput, earlier, 'input');
  const opened = [...earlier, ...storedInput].map((item, index) =>
    item.type === 'compaction'
      ? openCompactionItem(item, sealer, index - earlier.length)
      : openReasoning(item, sealer, index - earlier.length),
  );
  const compacted = applyCompaction(opened, earlier.length);
  return { modelInput: compacted.items, storedInput, earlierCount: compacted.earlierCount, earlier };
}

async function loadEarlierTurns(
  request: ContextRequest,
  tenantId: string,
  store: Store,
): Promise<StoredItem[]> {
  if (request.previousResponseId != null) {
    if (request.previousContext !== undefined) return [...request.previousContext];
    const chain = await store.responses.loadChain(tenantId, request.previousResponseId);
    if (!chain) {
      throw invalidRequest(
        `Previous response with id '${request.previousResponseId}' not found.`,
        'previous_response_id',
        'previous_response_not_found',
      );
    }
    return chain;
  }
  if (request.conversationId !== undefined) {
    const items = await store.conversations.allItems(tenantId, request.conversationId);
    if (!items) {
      throw new GatewayError(404, `Conversation with id '${request.conversationId}' not found.`, {
        type: 'invalid_request_error',
        param: 'conversation',
        code: 'conversation_not_found',
      });
    }
    return items;
  }
  return [];
}

/** Normalises input to items with ids, replacing item references by the items they name. */
export async function itemsWithIds(
  input: string | readonly InputItem[],
  tenantId: string,
  store: Store,
  param: 'input' | 'items' = 'input',
): Promise<StoredItem[]> {
  if (typeof input === 'string') return [userTextItem(input)];
  const items: StoredItem[] = [];
  for (const [index, item] of input.entries()) {
    if (item.type === 'item_reference' || (item.type === undefined && !('role' in item))) {
      const id = (item as { id: string }).id;
      const found = await store.responses.findItem(tenantId, id);
      if (!found)
        throw invalidRequest(`Item with id '${id}' not found.`, `${param}[${index}].id`, 'item_not_found');
      items.push(found);
      continue;
    }
    const typed = { type: 'message', ...item } as Record<string, unknown>;
    if (typeof typed.id !== 'string') typed.id = newId(idPrefixFor(String(typed.type)));
    if (typed.type === 'message') {
      typed.status ??= 'completed';
      if (typeof typed.content === 'string') {
        typed.content = [
          { type: typed.role === 'assistant' ? 'output_text' : 'input_text', text: typed.content },
        ];
      }
    }
    items.push(typed as StoredItem);
  }
  return items;
}

function userTextItem(text: string): StoredItem {
  return {
    id: newId('msg'),
    type: 'message',
    status: 'completed',
    role: 'user',
    content: [{ type: 'input_text', text }],
  };
}

/**
 * Refuses items whose id is already in the context or earlier in the same input, as OpenAI does
 * (a conversation holds each item once; a repeated item would also reach the model twice).
 */
export function rejectDuplicateItems(
  items: readonly StoredItem[],
  existing: readonly StoredItem[],
  param: 'input' | 'items',
): void {
  const seen = new Set(existing.map((item) => item.id));
  for (const item of items) {
    if (seen.has(item.id)) {
      throw invalidRequest(
        `Duplicate item found with id ${item.id}. Remove duplicate items from your input and try again.`,
        param,
      );
    }
    seen.add(item.id);
  }
}

/** Client tools' call and output items keep their tool's prefix (as their output items have). */
const CLIENT_PREFIXES: Record<string, IdPrefix> = {
  apply_patch_call: 'apc',
  apply_patch_call_output: 'apc',
  shell_call: 'sh',
  shell_call_output: 'sh',
  local_shell_call: 'lsh',
  local_shell_call_output: 'lsh',
  computer_call: 'cu',
  computer_call_output: 'cu',
  tool_search_call: 'tsc',
  tool_search_output: 'tsc',
};

function idPrefixFor(type: string): IdPrefix {
  const client = CLIENT_PREFIXES[type];
  if (client !== undefined) return client;
  if (type === 'function_call' || type === 'function_call_output') return 'fc';
  if (type === 'compaction') return 'cmp';
  if (type === 'custom_tool_call' || type === 'custom_tool_call_output') return 'ctc';
  if (type === 'reasoning') return 'rs';
  return 'msg';
}

/**
 * Reasoning sealed by this gateway is opened for the model; content it cannot verify is refused,
 * since replaying forged reasoning would put words in the model's mouth.
 */
function openReasoning(item: StoredItem, sealer: ReasoningSealer, inputIndex: number): ContextItem {
  // Stored items are validated input or output the gateway made: each of a type input takes.
  if (!isInputItem(item)) throw new Error(`stored item '${item.id}' has a type no input takes: ${item.type}`);
  if (item.type !== 'reasoning' || typeof item.encrypted_content !== 'string') return item;
  const payload = sealer.open(item.encrypted_content);
  if (!payload) {
    throw invalidRequest(
      `The encrypted content of reasoning item '${item.id}' could not be verified: it was altered or was not issued by this gateway.`,
      inputIndex >= 0 ? `input[${inputIndex}].encrypted_content` : 'previous_response_id',
      'invalid_encrypted_content',
    );
  }
  const opened = {
    ...item,
    summary: payload.summary.map((text) => ({ type: 'summary_text' as const, text })),
    content: payload.text ? [{ type: 'reasoning_text' as const, text: payload.text }] : [],
    encrypted_content: payload.upstream ?? null,
    ...(payload.upstream !== undefined && payload.issuer !== undefined ? { issuer: payload.issuer } : {}),
  };
  return opened;
}
