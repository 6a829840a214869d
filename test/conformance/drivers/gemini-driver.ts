/** gemini against the Gemini API mock. */
import { geminiCapabilities } from '../../../src/providers/gemini/gemini-capabilities.js';
import { modelOfRequest, startMockGeminiUpstream } from '../../mocks/gemini-mock.js';
import { type ConformanceDriver, type Json, type SentRequest, sentRequest, textOf } from './driver.js';
import { mockDriver } from './mock-driver.js';

export function geminiDriver(): ConformanceDriver {
  return mockDriver({
    name: 'gemini',
    capabilities: geminiCapabilities,
    model: 'gemini/gemini-mock',
    upstreamModel: 'gemini-mock',
    startMock: () => startMockGeminiUpstream({ apiKey: 'k' }),
    env: (mock) => ({ GEMINI_BASE_URL: mock.url, GEMINI_API_KEY: 'k' }),
    script: (enqueue) => ({
      text: (text) => enqueue({ kind: 'text', text }),
      reasoning: (reasoning, text) =>
        enqueue({ kind: 'text', text, thoughts: reasoning, thoughtSignature: 'sig-gemini' }),
      toolCalls: (calls) =>
        enqueue({
          kind: 'text',
          text: '',
          functionCalls: calls.map((c) => ({ name: c.name, args: c.args })),
        }),
      json: (_name, value) => enqueue({ kind: 'text', text: JSON.stringify(value) }),
      midStreamError: (afterText) => enqueue({ kind: 'stream-error', afterText }),
      slow: () => enqueue({ kind: 'text', text: 'A slow story, told one word at a time.', delayMs: 2000 }),
    }),
    sent: (request) => fromGemini(request),
  });
}

function fromGemini(request: Parameters<typeof modelOfRequest>[0]): SentRequest {
  const body: Json = request.body;
  const sent = sentRequest(modelOfRequest(request) ?? '', body.generationConfig?.responseJsonSchema);
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
