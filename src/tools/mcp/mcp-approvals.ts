/**
 * The calls a request approves: each `mcp_approval_response` with `approve: true` in its input,
 * matched with the `mcp_approval_request` of an earlier turn for this server, and not run yet (no
 * `mcp_call` names it). An answer to a request that does not exist is the client's mistake.
 */
import { invalidRequest } from '../../errors.js';
import type { OpeningContext } from '../types.js';
import type { McpCallRequest } from './mcp-call.js';

export function approvedCalls(how: OpeningContext, serverLabel: string): McpCallRequest[] {
  const requests = new Map<string, Record<string, unknown>>();
  const ran = new Set<string>();
  for (const item of [...how.earlier, ...how.input]) {
    if (item.type === 'mcp_approval_request' && typeof item.id === 'string') requests.set(item.id, item);
    if (item.type === 'mcp_call' && typeof item.approval_request_id === 'string')
      ran.add(item.approval_request_id);
  }
  const approved: McpCallRequest[] = [];
  how.input.forEach((item, index) => {
    if (item.type !== 'mcp_approval_response') return;
    const id = String(item.approval_request_id);
    const request = requests.get(id);
    if (!request) {
      throw invalidRequest(
        `No MCP approval request with id '${id}' found in the earlier turns (give previous_response_id or the conversation it was made in).`,
        `input[${index}].approval_request_id`,
        'invalid_value',
      );
    }
    if (item.approve !== true || request.server_label !== serverLabel || ran.has(id)) return;
    ran.add(id);
    approved.push({
      serverLabel,
      name: String(request.name),
      arguments: typeof request.arguments === 'string' ? request.arguments : '{}',
      approvalRequestId: id,
    });
  });
  return approved;
}
