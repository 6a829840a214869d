/**
 * MCP approvals as the model is told them. A request for approval is nothing to the model by
 * itself: approved, the call that ran (an `mcp_call` naming it) tells the call and its result; denied,
 * the model hears the call it made and that the user declined it.
 */
import type { ContextItem } from '../protocol/input-items.js';
import type { HostedReplay } from './convert-input.js';

export class ApprovalReplay {
  private readonly requests = new Map<string, Record<string, unknown>>();

  constructor(private readonly replay: HostedReplay) {}

  /**
   * `undefined`: not an approval item, convert it as usual; `null`: nothing to tell; else the
   * call and answer to tell.
   */
  told(item: ContextItem): { replayed: ReturnType<HostedReplay>; callId: string } | null | undefined {
    const fields = item as Record<string, unknown>;
    if (fields.type === 'mcp_approval_request') {
      if (typeof fields.id === 'string') this.requests.set(fields.id, fields);
      return null;
    }
    if (fields.type !== 'mcp_approval_response') return undefined;
    const requestId = String(fields.approval_request_id);
    const request = this.requests.get(requestId);
    if (fields.approve === true || !request) return null;
    const reason = typeof fields.reason === 'string' && fields.reason !== '' ? `: ${fields.reason}` : '.';
    const denied = {
      type: 'mcp_call',
      id: requestId,
      server_label: request.server_label,
      name: request.name,
      arguments: request.arguments,
      output: null,
      error: `The user declined this call; it was not run${reason}`,
    };
    return { replayed: this.replay(denied), callId: requestId };
  }
}
