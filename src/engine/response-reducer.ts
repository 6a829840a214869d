/**
 * Folds stream events into a Response. The one place that knows how each event changes the
 * Response: the emitter reads its state from here, non-streaming requests return it, and event
 * logs replay through it.
 */
import type { ResponseEvent } from '../protocol/events.js';
import {
  type ApplyPatchCallItem,
  type CustomToolCallItem,
  type FunctionCallItem,
  type HostedItemStatus,
  type HostedToolCallItem,
  isHostedItemType,
  type OutputItem,
  type OutputMessage,
  type ReasoningItem,
  type ResponseObject,
} from '../protocol/response.js';

export class ResponseReducer {
  response: ResponseObject;

  /**
   * @param adopt the events' items and parts are nobody else's (no sink sees them): fold them in as
   * they are instead of copying each.
   */
  constructor(
    initial: ResponseObject,
    private readonly adopt = false,
  ) {
    this.response = initial;
  }

  apply(event: ResponseEvent): void {
    const output = this.response.output;
    switch (event.type) {
      case 'response.created':
      case 'response.queued':
      case 'response.in_progress':
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed':
        this.response = event.response;
        return;
      case 'response.output_item.added':
      case 'response.output_item.done':
        output[event.output_index] = this.adopt ? event.item : copyItem(event.item);
        return;
      case 'response.content_part.added': {
        const item = output[event.output_index];
        if (item?.type === 'message' && event.part.type !== 'reasoning_text') {
          item.content[event.content_index] = this.adopt ? event.part : { ...event.part };
        } else if (item?.type === 'reasoning' && event.part.type === 'reasoning_text') {
          item.content ??= [];
          item.content[event.content_index] = this.adopt ? event.part : { ...event.part };
        }
        return;
      }
      case 'response.content_part.done':
        return;
      case 'response.output_text.delta': {
        const part = messagePart(output, event.output_index, event.content_index);
        if (part?.type === 'output_text') {
          part.text += event.delta;
          if (part.logprobs && event.logprobs.length > 0) part.logprobs.push(...event.logprobs);
        }
        return;
      }
      case 'response.output_text.done': {
        const part = messagePart(output, event.output_index, event.content_index);
        if (part?.type === 'output_text') part.text = event.text;
        return;
      }
      case 'response.output_text.annotation.added': {
        const part = messagePart(output, event.output_index, event.content_index);
        if (part?.type === 'output_text') part.annotations[event.annotation_index] = event.annotation;
        return;
      }
      case 'response.refusal.delta': {
        const part = messagePart(output, event.output_index, event.content_index);
        if (part?.type === 'refusal') part.refusal += event.delta;
        return;
      }
      case 'response.refusal.done': {
        const part = messagePart(output, event.output_index, event.content_index);
        if (part?.type === 'refusal') part.refusal = event.refusal;
        return;
      }
      case 'response.reasoning_text.delta': {
        const part = reasoningOf(output, event.output_index)?.content?.[event.content_index];
        if (part) part.text += event.delta;
        return;
      }
      case 'response.reasoning_text.done': {
        const part = reasoningOf(output, event.output_index)?.content?.[event.content_index];
        if (part) part.text = event.text;
        return;
      }
      case 'response.reasoning_summary_part.added': {
        const item = reasoningOf(output, event.output_index);
        if (item) item.summary[event.summary_index] = { ...event.part };
        return;
      }
      case 'response.reasoning_summary_part.done':
        return;
      case 'response.reasoning_summary_text.delta': {
        const part = reasoningOf(output, event.output_index)?.summary[event.summary_index];
        if (part) part.text += event.delta;
        return;
      }
      case 'response.reasoning_summary_text.done': {
        const part = reasoningOf(output, event.output_index)?.summary[event.summary_index];
        if (part) part.text = event.text;
        return;
      }
      case 'response.function_call_arguments.delta': {
        const item = output[event.output_index];
        if (item?.type === 'function_call') item.arguments += event.delta;
        return;
      }
      case 'response.function_call_arguments.done': {
        const item = output[event.output_index];
        if (item?.type === 'function_call') item.arguments = event.arguments;
        return;
      }
      case 'response.custom_tool_call_input.delta': {
        const item = output[event.output_index];
        if (item?.type === 'custom_tool_call') item.input += event.delta;
        return;
      }
      case 'response.custom_tool_call_input.done': {
        const item = output[event.output_index];
        if (item?.type === 'custom_tool_call') item.input = event.input;
        return;
      }
      case 'response.file_search_call.in_progress':
      case 'response.file_search_call.searching':
      case 'response.file_search_call.completed':
      case 'response.web_search_call.in_progress':
      case 'response.web_search_call.searching':
      case 'response.web_search_call.completed':
      case 'response.code_interpreter_call.in_progress':
      case 'response.code_interpreter_call.interpreting':
      case 'response.code_interpreter_call.completed':
      case 'response.image_generation_call.in_progress':
      case 'response.image_generation_call.generating':
      case 'response.image_generation_call.completed':
      case 'response.mcp_call.in_progress':
      case 'response.mcp_call.completed':
      case 'response.mcp_call.failed':
      case 'response.mcp_list_tools.in_progress':
      case 'response.mcp_list_tools.completed':
      case 'response.mcp_list_tools.failed': {
        // The phase is the item's status while it runs (`searching`, `interpreting`, …).
        const item = hostedOf(output, event.output_index);
        if (item) item.status = event.type.slice(event.type.lastIndexOf('.') + 1) as HostedItemStatus;
        return;
      }
      case 'response.code_interpreter_call_code.delta': {
        const item = hostedOf(output, event.output_index);
        if (item) item.code = (typeof item.code === 'string' ? item.code : '') + event.delta;
        return;
      }
      case 'response.code_interpreter_call_code.done': {
        const item = hostedOf(output, event.output_index);
        if (item) item.code = event.code;
        return;
      }
      case 'response.mcp_call_arguments.delta': {
        const item = hostedOf(output, event.output_index);
        if (item) item.arguments = (typeof item.arguments === 'string' ? item.arguments : '') + event.delta;
        return;
      }
      case 'response.mcp_call_arguments.done': {
        const item = hostedOf(output, event.output_index);
        if (item) item.arguments = event.arguments;
        return;
      }
      case 'response.apply_patch_call_operation_diff.delta': {
        const operation = applyPatchOf(output, event.output_index)?.operation;
        if (operation && operation.type !== 'delete_file') operation.diff += event.delta;
        return;
      }
      case 'response.apply_patch_call_operation_diff.done': {
        const operation = applyPatchOf(output, event.output_index)?.operation;
        if (operation && operation.type !== 'delete_file') operation.diff = event.diff;
        return;
      }
      case 'response.image_generation_call.partial_image':
      case 'error':
        return;
      default:
        assertNever(event);
    }
  }
}

function messagePart(output: OutputItem[], outputIndex: number, contentIndex: number) {
  const item = output[outputIndex];
  return item?.type === 'message' ? item.content[contentIndex] : undefined;
}

function hostedOf(output: OutputItem[], outputIndex: number): HostedToolCallItem | undefined {
  const item = output[outputIndex];
  return item !== undefined && isHostedItemType(item.type) ? (item as HostedToolCallItem) : undefined;
}

function applyPatchOf(output: OutputItem[], outputIndex: number): ApplyPatchCallItem | undefined {
  const item = output[outputIndex];
  return item?.type === 'apply_patch_call' ? item : undefined;
}

function reasoningOf(output: OutputItem[], outputIndex: number): ReasoningItem | undefined {
  const item = output[outputIndex];
  return item?.type === 'reasoning' ? item : undefined;
}

/** Items in events are immutable once emitted; the reducer keeps its own copy to fold into. */
export function copyItem<T extends OutputItem>(item: T): T {
  switch (item.type) {
    case 'message':
      return { ...item, content: (item as OutputMessage).content.map((p) => ({ ...p })) } as T;
    case 'reasoning': {
      const r = item as ReasoningItem;
      const copy: ReasoningItem = { ...r, summary: r.summary.map((p) => ({ ...p })) };
      if (r.content) copy.content = r.content.map((p) => ({ ...p }));
      return copy as T;
    }
    case 'function_call':
      return { ...(item as FunctionCallItem) } as T;
    case 'custom_tool_call':
      return { ...(item as CustomToolCallItem) } as T;
    case 'compaction':
    case 'local_shell_call':
    case 'computer_call':
    case 'tool_search_call':
      // A client tool call is emitted whole; nothing is folded into its nested fields.
      return { ...item } as T;
    case 'apply_patch_call': {
      // Its operation's diff is folded into by the diff events.
      const call = item as ApplyPatchCallItem;
      return { ...call, operation: { ...call.operation } } as T;
    }
    case 'file_search_call':
    case 'web_search_call':
    case 'code_interpreter_call':
    case 'image_generation_call':
    case 'mcp_call':
    case 'mcp_list_tools':
    case 'mcp_approval_request':
    case 'shell_call':
    case 'shell_call_output':
      // A hosted item's nested fields (results, outputs) are set once, never folded into.
      return { ...item } as T;
    default:
      return assertNever(item);
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
