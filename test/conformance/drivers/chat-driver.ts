/** openai-chat against the Chat Completions mock. */
import { chatCapabilities } from '../../../src/providers/openai-chat/chat-capabilities.js';
import { type MockChatUpstream, startMockChatUpstream } from '../../mocks/chat-completions-mock.js';
import { type ProviderGateway, startProviderGateway } from '../../providers/provider-gateway.js';
import { type ConformanceDriver, type Json, type SentRequest, textOf } from './driver.js';

export function chatDriver(): ConformanceDriver {
  let mock: MockChatUpstream;
  return {
    name: 'openai-chat',
    capabilities: chatCapabilities,
    limits: {},
    model: 'openai/mock-chat',
    upstreamModel: 'mock-chat',
    defaults: {},
    async start(): Promise<ProviderGateway> {
      mock = await startMockChatUpstream({ apiKey: 'k' });
      return startProviderGateway({ OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: 'k' });
    },
    script: {
      text: (text) => mock.enqueue({ kind: 'text', text }),
      reasoning: (reasoning, text) => mock.enqueue({ kind: 'text', text, reasoning }),
      toolCalls: (calls) =>
        mock.enqueue({
          kind: 'text',
          text: '',
          toolCalls: calls.map((c) => ({ id: c.callId, name: c.name, arguments: JSON.stringify(c.args) })),
        }),
      json: (_name, value) => mock.enqueue({ kind: 'text', text: JSON.stringify(value) }),
      httpError: (status, retryAfter) =>
        mock.enqueue({
          kind: 'http-error',
          status,
          ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
        }),
      midStreamError: (afterText) =>
        mock.enqueue({ kind: 'stream-error', afterText, error: { message: 'The server had an error.' } }),
      slow: () =>
        mock.enqueue({ kind: 'text', text: 'A slow story, told one word at a time.', delayMs: 2000 }),
    },
    reset: () => mock.reset(),
    get requestCount() {
      return mock.requests.length;
    },
    sent: (n) => fromChat(mock.requests[n]!.body),
    waitForAbort: (n) => mock.waitForAbort(n),
    close: () => mock.close(),
  };
}

function fromChat(body: Json): SentRequest {
  const sent: SentRequest = {
    model: body.model,
    messages: [],
    toolCalls: [],
    toolResults: [],
    images: 0,
    files: 0,
    reasoningReplayed: [],
    schema: body.response_format?.json_schema?.schema,
  };
  for (const message of body.messages as Json[]) {
    if (message.role === 'tool') {
      sent.toolResults.push({
        callId: message.tool_call_id,
        name: undefined,
        output: textOf(message.content),
      });
      continue;
    }
    if (message.role !== 'user' && message.role !== 'assistant') continue;
    const parts: Json[] = Array.isArray(message.content) ? message.content : [];
    sent.images += parts.filter((p) => p.type === 'image_url').length;
    sent.files += parts.filter((p) => p.type === 'file').length;
    const text = typeof message.content === 'string' ? message.content : textOf(parts);
    if (text !== '') sent.messages.push({ role: message.role, text });
    for (const call of message.tool_calls ?? []) {
      sent.toolCalls.push({
        callId: call.id,
        name: call.function.name,
        args: JSON.parse(call.function.arguments),
      });
    }
    for (const key of ['reasoning_content', 'reasoning']) {
      if (message[key] != null) sent.reasoningReplayed.push(String(message[key]));
    }
  }
  return sent;
}
