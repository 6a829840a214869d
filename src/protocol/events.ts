/**
 * The streaming events of the Responses API, as the `openai` package types them. Only the emitter
 * constructs these; everything else reads them.
 */
import type {
  Annotation,
  ContentPart,
  Logprob,
  OutputItem,
  ResponseObject,
  SummaryTextPart,
} from './response.js';

interface Seq {
  sequence_number: number;
}
interface ItemRef extends Seq {
  item_id: string;
  output_index: number;
}
interface PartRef extends ItemRef {
  content_index: number;
}

/** `response.<item type>.<phase>` events of built-in tool calls: item reference only. */
export type HostedPhaseEventType =
  | 'response.file_search_call.in_progress'
  | 'response.file_search_call.searching'
  | 'response.file_search_call.completed'
  | 'response.web_search_call.in_progress'
  | 'response.web_search_call.searching'
  | 'response.web_search_call.completed'
  | 'response.code_interpreter_call.in_progress'
  | 'response.code_interpreter_call.interpreting'
  | 'response.code_interpreter_call.completed'
  | 'response.image_generation_call.in_progress'
  | 'response.image_generation_call.generating'
  | 'response.image_generation_call.completed'
  | 'response.mcp_call.in_progress'
  | 'response.mcp_call.completed'
  | 'response.mcp_call.failed'
  | 'response.mcp_list_tools.in_progress'
  | 'response.mcp_list_tools.completed'
  | 'response.mcp_list_tools.failed';

/** Streamed fields of built-in tool calls: the delta event's prefix → the item field it fills. */
export const HOSTED_DELTA_FIELDS = {
  'response.code_interpreter_call_code': 'code',
  'response.mcp_call_arguments': 'arguments',
} as const;
export type HostedDeltaPrefix = keyof typeof HOSTED_DELTA_FIELDS;

export type ResponseEvent =
  | ({ type: 'response.created'; response: ResponseObject } & Seq)
  | ({ type: 'response.queued'; response: ResponseObject } & Seq)
  | ({ type: 'response.in_progress'; response: ResponseObject } & Seq)
  | ({ type: 'response.completed'; response: ResponseObject } & Seq)
  | ({ type: 'response.incomplete'; response: ResponseObject } & Seq)
  | ({ type: 'response.failed'; response: ResponseObject } & Seq)
  | ({ type: 'response.output_item.added'; output_index: number; item: OutputItem } & Seq)
  | ({ type: 'response.output_item.done'; output_index: number; item: OutputItem } & Seq)
  | ({ type: 'response.content_part.added'; part: ContentPart } & PartRef)
  | ({ type: 'response.content_part.done'; part: ContentPart } & PartRef)
  | ({
      type: 'response.output_text.delta';
      delta: string;
      logprobs: Logprob[];
      obfuscation?: string;
    } & PartRef)
  | ({ type: 'response.output_text.done'; text: string; logprobs: Logprob[] } & PartRef)
  | ({
      type: 'response.output_text.annotation.added';
      annotation: Annotation;
      annotation_index: number;
    } & PartRef)
  | ({ type: 'response.refusal.delta'; delta: string } & PartRef)
  | ({ type: 'response.refusal.done'; refusal: string } & PartRef)
  | ({ type: 'response.reasoning_text.delta'; delta: string; obfuscation?: string } & PartRef)
  | ({ type: 'response.reasoning_text.done'; text: string } & PartRef)
  | ({
      type: 'response.reasoning_summary_part.added';
      summary_index: number;
      part: SummaryTextPart;
    } & ItemRef)
  | ({ type: 'response.reasoning_summary_part.done'; summary_index: number; part: SummaryTextPart } & ItemRef)
  | ({
      type: 'response.reasoning_summary_text.delta';
      summary_index: number;
      delta: string;
      obfuscation?: string;
    } & ItemRef)
  | ({ type: 'response.reasoning_summary_text.done'; summary_index: number; text: string } & ItemRef)
  | ({ type: 'response.function_call_arguments.delta'; delta: string; obfuscation?: string } & ItemRef)
  | ({ type: 'response.function_call_arguments.done'; arguments: string; name: string } & ItemRef)
  | ({ type: 'response.custom_tool_call_input.delta'; delta: string; obfuscation?: string } & ItemRef)
  | ({ type: 'response.custom_tool_call_input.done'; input: string } & ItemRef)
  | ({ type: HostedPhaseEventType } & ItemRef)
  | ({ type: 'response.code_interpreter_call_code.delta'; delta: string; obfuscation?: string } & ItemRef)
  | ({ type: 'response.code_interpreter_call_code.done'; code: string } & ItemRef)
  | ({ type: 'response.mcp_call_arguments.delta'; delta: string; obfuscation?: string } & ItemRef)
  | ({ type: 'response.mcp_call_arguments.done'; arguments: string } & ItemRef)
  | ({
      type: 'response.apply_patch_call_operation_diff.delta';
      delta: string;
      obfuscation?: string;
    } & ItemRef)
  | ({ type: 'response.apply_patch_call_operation_diff.done'; diff: string } & ItemRef)
  | ({
      type: 'response.image_generation_call.partial_image';
      partial_image_b64: string;
      partial_image_index: number;
    } & ItemRef)
  | ({ type: 'error'; code: string | null; message: string; param: string | null } & Seq);

export type ResponseEventType = ResponseEvent['type'];

/** Events that end a response: after one of these nothing else is emitted. */
export function isTerminalEvent(event: ResponseEvent): boolean {
  return (
    event.type === 'response.completed' ||
    event.type === 'response.incomplete' ||
    event.type === 'response.failed' ||
    event.type === 'error'
  );
}
