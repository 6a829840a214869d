/** openai-chat against the Chat Completions mock. */
import { chatCapabilities } from '../../../src/providers/openai-chat/chat-capabilities.js';
import { startMockChatUpstream } from '../../mocks/chat-completions-mock.js';
import { type ConformanceDriver, type Json, type SentRequest, sentRequest, textOf } from './driver.js';
import { mockDriver } from './mock-driver.js';

export function chatDriver(): ConformanceDriver {
  return mockDriver({
    name: 'openai-chat',
    capabilities: chatCapabilities,
    model: 'openai/mock-chat',
    upstreamModel: 'mock-chat',
    startMock: () => startMockChatUpstream({ apiKey: 'k' }),
    env: (mock) => ({ OPENAI_BASE_URL: mock.baseUrl, OPENAI_API_KEY: 'k' }),
    script: (enqueue) => ({
      text: (text) => enqueue({ kind: 'text', text }),
      reasoning: (reasoning, text) => enqueue({ kind: 'text', text, reasoning }),
      toolCalls: (calls) =>
        enqueue({
          kind: 'text',
          text: '',
          toolCalls: calls.map((c) => ({
            id: c.callId,
            name: c.name,
            ...(c.custom
              ? { type: 'custom' as const, arguments: String(c.args.input) }
              : { arguments: JSON.stringify(c.args) }),
          })),
        }),
      json: (_name, value) => enqueue({ kind: 'text', text: JSON.stringify(value) }),
      midStreamError: (afterText) =>
        enqueue({ kind: 'stream-error', afterText, error: { message: 'The server had an error.' } }),
      slow: () => enqueue({ kind: 'text', text: 'A slow story, told one word at a time.', delayMs: 2000 }),
    }),
    sent: (request) => fromChat(request.body),
  });
}

function fromChat(body: Json): SentRequest {
  const sent = sentRequest(body.model, body.response_format?.json_schema?.schema);
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
      sent.toolCalls.push(
        call.custom
          ? { callId: call.id, name: call.custom.name, args: { input: call.custom.input } }
          : { callId: call.id, name: call.function.name, args: JSON.parse(call.function.arguments) },
      );
    }
    for (const key of ['reasoning_content', 'reasoning']) {
      if (message[key] != null) sent.reasoningReplayed.push(String(message[key]));
    }
  }
  return sent;
}
