/** openai-responses against the Responses API mock. */
import { responsesCapabilities } from '../../../src/providers/openai-responses/responses-capabilities.js';
import { type MockResponsesUpstream, startMockResponsesUpstream } from '../../mocks/responses-mock.js';
import { type ProviderGateway, startProviderGateway } from '../../providers/provider-gateway.js';
import { type ConformanceDriver, type Json, type SentRequest, textOf } from './driver.js';

export function responsesDriver(): ConformanceDriver {
  let mock: MockResponsesUpstream;
  return {
    name: 'openai-responses',
    capabilities: responsesCapabilities,
    limits: {},
    model: 'openai/mock-responses',
    upstreamModel: 'mock-responses',
    defaults: {},
    async start(): Promise<ProviderGateway> {
      mock = await startMockResponsesUpstream({ apiKey: 'k' });
      return startProviderGateway({
        OPENAI_BASE_URL: mock.baseUrl,
        OPENAI_API: 'responses',
        OPENAI_API_KEY: 'k',
      });
    },
    script: {
      text: (text) => mock.enqueue({ kind: 'response', text }),
      reasoning: (reasoning, text) =>
        mock.enqueue({ kind: 'response', text, reasoning: { summary: [reasoning] } }),
      toolCalls: (calls) =>
        mock.enqueue({
          kind: 'response',
          toolCalls: calls.map((c) => ({
            callId: c.callId,
            name: c.name,
            arguments: JSON.stringify(c.args),
          })),
        }),
      json: (_name, value) => mock.enqueue({ kind: 'response', text: JSON.stringify(value) }),
      httpError: (status, retryAfter) =>
        mock.enqueue({
          kind: 'http-error',
          status,
          ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
        }),
      midStreamError: (afterText) =>
        mock.enqueue({ kind: 'stream-error', afterText, error: { message: 'The server had an error.' } }),
      slow: () =>
        mock.enqueue({ kind: 'response', text: 'A slow story, told one word at a time.', delayMs: 2000 }),
    },
    reset: () => mock.reset(),
    get requestCount() {
      return mock.requests.length;
    },
    sent: (n) => fromResponses(mock.requests[n]!.body),
    waitForAbort: (n) => mock.waitForAbort(n),
    close: () => mock.close(),
  };
}

function fromResponses(body: Json): SentRequest {
  const sent: SentRequest = {
    model: body.model,
    messages: [],
    toolCalls: [],
    toolResults: [],
    images: 0,
    files: 0,
    reasoningReplayed: [],
    schema: body.text?.format?.schema,
  };
  const input: Json[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : body.input;
  for (const item of input) {
    const type = item.type ?? 'message';
    if (type === 'function_call') {
      sent.toolCalls.push({ callId: item.call_id, name: item.name, args: JSON.parse(item.arguments) });
    } else if (type === 'function_call_output') {
      sent.toolResults.push({ callId: item.call_id, name: undefined, output: textOf(item.output) });
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
