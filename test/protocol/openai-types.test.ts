/**
 * The public shapes checked against the `openai` package's types at compile time (`tsc` runs over
 * the tests): what the gateway sends must be what the SDK declares, so drift fails the build.
 */
import type {
  Response as OpenAIResponse,
  ResponseCodeInterpreterToolCall,
  ResponseFileSearchToolCall,
  ResponseFunctionToolCall,
  ResponseOutputMessage,
  ResponseReasoningItem,
  ResponseStreamEvent,
  ResponseUsage,
} from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import type { ResponseEvent } from '../../src/protocol/events.js';
import type {
  FunctionCallItem,
  HostedItemStatus,
  OutputMessage,
  ReasoningItem,
  ResponseObject,
  Usage,
} from '../../src/protocol/response.js';

type Is<T extends true> = T;
type Extends<A, B> = [A] extends [B] ? true : false;

// Known drift, not checked until fixed: `input_tokens_details` has no `cache_write_tokens` (the SDK
// declares it; no adapter reports cache writes yet: Usage ⊄ ResponseUsage).
type Unchecked = [Usage, ResponseUsage];

type Checks = [
  Is<Extends<OutputMessage, ResponseOutputMessage>>,
  Is<Extends<FunctionCallItem, ResponseFunctionToolCall>>,
  Is<Extends<ReasoningItem, ResponseReasoningItem>>,
  // Every status a built-in item shows is one the SDK knows for that item.
  Is<Extends<Exclude<HostedItemStatus, 'interpreting' | 'generating'>, ResponseFileSearchToolCall['status']>>,
  Is<
    Extends<Exclude<HostedItemStatus, 'searching' | 'generating'>, ResponseCodeInterpreterToolCall['status']>
  >,
  // Every event type the gateway emits is one the SDK declares.
  Is<Extends<ResponseEvent['type'], ResponseStreamEvent['type']>>,
  Is<Extends<ResponseObject['status'], NonNullable<OpenAIResponse['status']>>>,
];

describe('public shapes', () => {
  it('are checked against the openai types by tsc', () => {
    // The checks are compile-time: naming them here makes tsc evaluate them.
    const checked: [Checks, Unchecked] | undefined = undefined;
    expect(checked).toBeUndefined();
  });
});
