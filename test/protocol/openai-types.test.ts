/**
 * The public shapes checked against the `openai` package's types at compile time (`tsc` runs over
 * the tests): what the gateway sends must be what the SDK declares, so drift fails the build.
 */
import type {
  Response as OpenAIResponse,
  ResponseApplyPatchToolCall,
  ResponseCodeInterpreterToolCall,
  ResponseComputerToolCall,
  ResponseFileSearchToolCall,
  ResponseFunctionShellToolCall,
  ResponseFunctionToolCall,
  ResponseItem,
  ResponseOutputMessage,
  ResponseReasoningItem,
  ResponseStreamEvent,
  ResponseToolSearchCall,
  ResponseUsage,
} from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import type { ResponseEvent } from '../../src/protocol/events.js';
import type {
  ApplyPatchCallItem,
  ComputerCallItem,
  FunctionCallItem,
  HostedItemStatus,
  LocalShellCallItem,
  LocalShellToolCallItem,
  OutputMessage,
  ReasoningItem,
  ResponseObject,
  ToolSearchCallItem,
  Usage,
} from '../../src/protocol/response.js';

type Is<T extends true> = T;
type Extends<A, B> = [A] extends [B] ? true : false;

// Known drift, not checked until fixed: `input_tokens_details` has no `cache_write_tokens` (the SDK
// declares it; no adapter reports cache writes yet: Usage ⊄ ResponseUsage).
// The apply_patch diff events are in OpenAI's API reference (`delta` / `diff`, `item_id`,
// `output_index`, `sequence_number`) but not yet in openai 6.49's `ResponseStreamEvent`.
type ApplyPatchDiffEvent =
  | 'response.apply_patch_call_operation_diff.delta'
  | 'response.apply_patch_call_operation_diff.done';
type Unchecked = [Usage, ResponseUsage, ApplyPatchDiffEvent];

type LocalShellCall = Extract<ResponseItem, { type: 'local_shell_call' }>;

type Checks = [
  Is<Extends<OutputMessage, ResponseOutputMessage>>,
  Is<Extends<FunctionCallItem, ResponseFunctionToolCall>>,
  Is<Extends<ReasoningItem, ResponseReasoningItem>>,
  // Every status a built-in item shows is one the SDK knows for that item.
  Is<Extends<Exclude<HostedItemStatus, 'interpreting' | 'generating'>, ResponseFileSearchToolCall['status']>>,
  Is<
    Extends<Exclude<HostedItemStatus, 'searching' | 'generating'>, ResponseCodeInterpreterToolCall['status']>
  >,
  // The items of the tools the client runs.
  Is<Extends<ApplyPatchCallItem, ResponseApplyPatchToolCall>>,
  Is<Extends<LocalShellToolCallItem, ResponseFunctionShellToolCall>>,
  Is<Extends<LocalShellCallItem, LocalShellCall>>,
  Is<Extends<ComputerCallItem, ResponseComputerToolCall>>,
  Is<Extends<ToolSearchCallItem, ResponseToolSearchCall>>,
  // Every event type the gateway emits is one the SDK declares.
  Is<Extends<Exclude<ResponseEvent['type'], ApplyPatchDiffEvent>, ResponseStreamEvent['type']>>,
  Is<Extends<ResponseObject['status'], NonNullable<OpenAIResponse['status']>>>,
];

describe('public shapes', () => {
  it('are checked against the openai types by tsc', () => {
    // The checks are compile-time: naming them here makes tsc evaluate them.
    const checked: [Checks, Unchecked] | undefined = undefined;
    expect(checked).toBeUndefined();
  });
});
