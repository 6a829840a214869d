/**
 * One call of a server's tool, as its `mcp_call` item reports it: the arguments streamed, then the
 * output, or the error a server returned (`isError`), threw, or timed out with. Only the
 * response's own abort escapes; everything else is a failed item the model is told about.
 */
import type { ToolProgress, ToolResult } from '../types.js';
import { resultText } from './mcp-output.js';
import { describeFailure, type McpSession } from './mcp-session.js';

const ARGUMENTS = 'response.mcp_call_arguments';

export interface McpCallRequest {
  serverLabel: string;
  name: string;
  arguments: string;
  approvalRequestId: string | null;
}

/** The item's fields when it is added. */
export function openedCall(request: McpCallRequest): Record<string, unknown> {
  return {
    server_label: request.serverLabel,
    name: request.name,
    arguments: '',
    approval_request_id: request.approvalRequestId,
    output: null,
    error: null,
  };
}

export async function runMcpCall(
  session: McpSession,
  request: McpCallRequest,
  how: { signal: AbortSignal; progress(update: ToolProgress): void },
): Promise<ToolResult> {
  how.progress({ type: 'delta', event: ARGUMENTS, delta: request.arguments });
  how.progress({ type: 'delta-done', event: ARGUMENTS, field: 'arguments', value: request.arguments });
  const fail = (error: string): ToolResult => ({
    item: { ...openedCall(request), arguments: request.arguments, status: 'failed', error },
    output: `The MCP tool '${request.name}' on server '${request.serverLabel}' failed: ${error}`,
  });
  let args: unknown;
  try {
    args = request.arguments.trim() === '' ? {} : JSON.parse(request.arguments);
  } catch {
    return fail('the arguments are not valid JSON.');
  }
  if (typeof args !== 'object' || args === null || Array.isArray(args))
    return fail('the arguments are not a JSON object.');
  try {
    const result = await session.callTool(request.name, args as Record<string, unknown>, how.signal);
    const text = resultText(result);
    if (result.isError === true) return fail(text === '' ? 'the tool reported an error.' : text);
    return {
      item: { ...openedCall(request), arguments: request.arguments, status: 'completed', output: text },
      output: text,
    };
  } catch (error) {
    // Aborted here is the call's own time limit (the response's abort is the caller's to see).
    return fail(
      how.signal.aborted
        ? 'the server did not answer in time; the call was stopped.'
        : describeFailure(error),
    );
  }
}
