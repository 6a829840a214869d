/** What the engine tells metering about each response it ran: usage, timing, who and which upstream. */
import type { ResponseObject } from '../protocol/response.js';

export interface ResponseReport {
  response: ResponseObject;
  tenantId: string;
  keyId: string;
  /** The provider that served the (last) model turn. */
  provider: string;
  /** Unix ms when the request reached the engine. */
  startedAt: number;
  latencyMs: number;
  /** To the first output delta; undefined when none came. */
  ttftMs: number | undefined;
  stream: boolean;
}

export interface ResponseObserver {
  /** Called once per response that ran, whatever its end; must not throw or block. */
  finished(report: ResponseReport): void;
}

/** Built-in tool calls in an output: the items the gateway (or a native upstream) ran itself. */
export function builtInToolCalls(response: ResponseObject): number {
  let calls = 0;
  for (const item of response.output) {
    const type = item.type;
    if (type.endsWith('_call') && type !== 'function_call' && type !== 'custom_tool_call') calls++;
  }
  return calls;
}
