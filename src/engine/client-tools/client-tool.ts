/**
 * A tool the client runs itself whose calls are items of their own (apply_patch_call, shell_call,
 * local_shell_call, computer_call, tool_search_call). An upstream that lacks the tool gets it as a
 * function whose arguments are the call item's own fields; the model's call to that function is
 * reported as the item, and the client's `*_output` item goes back as the function's result. A
 * native Responses upstream gets the `tools` entry and the items as they are.
 */
import type { IdPrefix } from '../../ids.js';
import type { ClientToolCallItem, LocalShellToolCallItem } from '../../protocol/response.js';

/** A client tool's call item, as the output shows it. */
export type ClientCallItem = ClientToolCallItem | LocalShellToolCallItem;

/** A `tools` entry or an input item, read freely (the schemas let their extra fields through). */
export type Entry = { type: string } & Record<string, unknown>;

export interface FunctionDeclaration {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ClientTool {
  /** The request's tool type. */
  readonly toolType: string;
  readonly itemType: ClientCallItem['type'];
  /** The input item that answers a call. */
  readonly outputType: string;
  readonly idPrefix: IdPrefix;
  /** The function an upstream without the tool is offered instead. */
  declare(entry: Entry): FunctionDeclaration;
  /** The call item from the function's JSON arguments (model output: anything may be missing). */
  item(id: string, callId: string, args: string, entry: Entry | undefined): ClientCallItem;
  /** An earlier call item → the function arguments it stands for. */
  argumentsOf(item: Entry): string;
  /** What the model is told of the client's answer (a screenshot is shown as an image). */
  answer(output: Entry): { text: string } | { screenshot: { image_url?: string; file_id?: string } };
}

/** The arguments object, or an empty one when the model wrote something else. */
export function objectArgs(args: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(args);
    return isRecord(value) ? value : {};
  } catch {
    return {};
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : typeof value === 'string' ? [value] : [];
}

/** A positive number, else null (`timeout_ms`, `max_output_length`). */
export function positiveOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : null;
}

/** The item's fields besides its identity and state, as the function arguments carry them. */
export function fieldsOf(item: Entry): Record<string, unknown> {
  const { id: _id, type: _type, status: _status, call_id: _callId, ...fields } = item;
  return fields;
}
