/** gemini against the Gemini API mock. */
import { geminiCapabilities } from '../../../src/providers/gemini/gemini-capabilities.js';
import { type MockGeminiUpstream, modelOfRequest, startMockGeminiUpstream } from '../../mocks/gemini-mock.js';
import { type ProviderGateway, startProviderGateway } from '../../providers/provider-gateway.js';
import { type ConformanceDriver, type Json, type SentRequest, textOf } from './driver.js';

export function geminiDriver(): ConformanceDriver {
  let mock: MockGeminiUpstream;
  return {
    name: 'gemini',
    capabilities: geminiCapabilities,
    limits: {},
    model: 'gemini/gemini-mock',
    upstreamModel: 'gemini-mock',
    defaults: {},
    async start(): Promise<ProviderGateway> {
      mock = await startMockGeminiUpstream({ apiKey: 'k' });
      return startProviderGateway({ GEMINI_BASE_URL: mock.url, GEMINI_API_KEY: 'k' });
    },
    script: {
      text: (text) => mock.enqueue({ kind: 'text', text }),
      reasoning: (reasoning, text) =>
        mock.enqueue({ kind: 'text', text, thoughts: reasoning, thoughtSignature: 'sig-gemini' }),
      toolCalls: (calls) =>
        mock.enqueue({
          kind: 'text',
          text: '',
          functionCalls: calls.map((c) => ({ name: c.name, args: c.args })),
        }),
      json: (_name, value) => mock.enqueue({ kind: 'text', text: JSON.stringify(value) }),
      httpError: (status, retryAfter) =>
        mock.enqueue({
          kind: 'http-error',
          status,
          ...(retryAfter !== undefined ? { headers: { 'retry-after': String(retryAfter) } } : {}),
        }),
      midStreamError: (afterText) => mock.enqueue({ kind: 'stream-error', afterText }),
      slow: () =>
        mock.enqueue({ kind: 'text', text: 'A slow story, told one word at a time.', delayMs: 2000 }),
    },
    reset: () => mock.reset(),
    get requestCount() {
      return mock.requests.length;
    },
    sent: (n) => fromGemini(mock.requests[n]!),
    waitForAbort: (n) => mock.waitForAbort(n),
    close: () => mock.close(),
  };
}

function fromGemini(request: Parameters<typeof modelOfRequest>[0]): SentRequest {
  const body: Json = request.body;
  const sent: SentRequest = {
    model: modelOfRequest(request) ?? '',
    messages: [],
    toolCalls: [],
    toolResults: [],
    images: 0,
    files: 0,
    reasoningReplayed: [],
    schema: body.generationConfig?.responseJsonSchema,
  };
  for (const content of body.contents as Json[]) {
    const parts: Json[] = content.parts;
    const text = parts
      .filter((p) => typeof p.text === 'string' && p.thought !== true)
      .map((p) => p.text)
      .join('');
    if (text !== '') sent.messages.push({ role: content.role === 'model' ? 'assistant' : 'user', text });
    for (const part of parts) {
      const media = part.inlineData?.mimeType ?? part.fileData?.mimeType;
      if (typeof media === 'string') {
        if (media.startsWith('image/')) sent.images += 1;
        else sent.files += 1;
      }
      if (part.functionCall)
        sent.toolCalls.push({
          callId: part.functionCall.id,
          name: part.functionCall.name,
          args: part.functionCall.args,
        });
      if (part.functionResponse)
        sent.toolResults.push({
          callId: part.functionResponse.id,
          name: part.functionResponse.name,
          output: textOf(part.functionResponse.response),
        });
      if (typeof part.thoughtSignature === 'string') sent.reasoningReplayed.push(part.thoughtSignature);
    }
  }
  return sent;
}
