/** openai-responses against the Responses API mock. */
import { responsesCapabilities } from '../../../src/providers/openai-responses/responses-capabilities.js';
import { startMockResponsesUpstream } from '../../mocks/responses-mock.js';
import { type ConformanceDriver, type Json, type SentRequest, sentRequest, textOf } from './driver.js';
import { mockDriver } from './mock-driver.js';

export function responsesDriver(): ConformanceDriver {
  return mockDriver({
    name: 'openai-responses',
    capabilities: responsesCapabilities,
    model: 'openai/mock-responses',
    upstreamModel: 'mock-responses',
    startMock: () => startMockResponsesUpstream({ apiKey: 'k' }),
    env: (mock) => ({
      OPENAI_BASE_URL: mock.baseUrl,
      OPENAI_API: 'responses',
      OPENAI_API_KEY: 'k',
    }),
    script: (enqueue) => ({
      text: (text) => enqueue({ kind: 'response', text }),
      reasoning: (reasoning, text) =>
        enqueue({ kind: 'response', text, reasoning: { summary: [reasoning] } }),
      toolCalls: (calls) =>
        enqueue({
          kind: 'response',
          toolCalls: calls
            .filter((c) => !c.item)
            .map((c) => ({
              callId: c.callId,
              name: c.name,
              ...(c.custom
                ? { type: 'custom' as const, arguments: String(c.args.input) }
                : { arguments: JSON.stringify(c.args) }),
            })),
          items: calls.flatMap((c) => (c.item ? [{ ...c.item, call_id: c.callId }] : [])),
        }),
      json: (_name, value) => enqueue({ kind: 'response', text: JSON.stringify(value) }),
      midStreamError: (afterText) =>
        enqueue({ kind: 'stream-error', afterText, error: { message: 'The server had an error.' } }),
      slow: () =>
        enqueue({ kind: 'response', text: 'A slow story, told one word at a time.', delayMs: 2000 }),
    }),
    sent: (request) => fromResponses(request.body),
  });
}

function fromResponses(body: Json): SentRequest {
  const sent = sentRequest(body.model, body.text?.format?.schema);
  const input: Json[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  for (const item of input) {
    const type = item.type ?? 'message';
    if (type === 'function_call') {
      sent.toolCalls.push({ callId: item.call_id, name: item.name, args: JSON.parse(item.arguments) });
    } else if (type === 'function_call_output') {
      sent.toolResults.push({ callId: item.call_id, name: undefined, output: textOf(item.output) });
    } else if (type !== 'function_call' && type.endsWith('_call') && typeof item.call_id === 'string') {
      // A client tool's own call item, sent as it is.
      const { id: _id, type: _type, status: _status, call_id, ...fields } = item;
      sent.toolCalls.push({ callId: call_id, name: type, args: fields });
    } else if (type.endsWith('_output')) {
      sent.toolResults.push({
        callId: item.call_id ?? item.id,
        name: undefined,
        output: JSON.stringify(item),
      });
    } else if (type === 'reasoning') {
      if (typeof item.encrypted_content === 'string') sent.reasoningReplayed.push(item.encrypted_content);
    } else if (type === 'message' && (item.role === 'user' || item.role === 'assistant')) {
      const parts: Json[] = Array.isArray(item.content) ? item.content : [];
      sent.images += parts.filter((p) => p.type === 'input_image').length;
      sent.files += parts.filter((p) => p.type === 'input_file').length;
      const text = typeof item.content === 'string' ? item.content : textOf(parts);
      if (text !== '') sent.messages.push({ role: item.role, text });
    }
  }
  return sent;
}
