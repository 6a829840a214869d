/**
 * Compatible servers that ignore `stream: true` and answer with the whole JSON object: each HTTP
 * adapter reads that answer as it would a non-streaming one — the same parts as generate(), under
 * the stream-part contract — instead of failing after the first byte. (Gemini's streaming endpoint
 * is a separate URL, which such a server would not serve.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderConfig } from '../../src/config/config-schema.js';
import { createLanguageModel } from '../../src/providers/create-language-model.js';
import type { StreamPart } from '../../src/providers/types.js';
import { modelRequest } from '../providers/model-request.js';
import { canonicalParts, checkStreamParts, summarize } from './stream-part-checker.js';
import { config, http } from './stream-part-rigs.js';

const TEXT = 'Hello there.';

const WHOLE: Array<{ type: ProviderConfig['type']; path: string; answer: unknown }> = [
  {
    type: 'openai-chat',
    path: '/v1',
    answer: {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1,
      model: 'm',
      choices: [{ index: 0, message: { role: 'assistant', content: TEXT }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    },
  },
  {
    type: 'openai-responses',
    path: '/v1',
    answer: {
      id: 'resp_1',
      object: 'response',
      status: 'completed',
      model: 'm',
      output: [
        {
          type: 'message',
          id: 'msg_1',
          role: 'assistant',
          status: 'completed',
          content: [{ type: 'output_text', text: TEXT, annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 3,
        output_tokens: 2,
        total_tokens: 5,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens_details: { reasoning_tokens: 0 },
      },
    },
  },
  {
    type: 'anthropic',
    path: '',
    answer: {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'm',
      content: [{ type: 'text', text: TEXT }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 3, output_tokens: 2 },
    },
  },
];

describe.each(WHOLE)('$type adapter, a streaming call answered whole', ({ type, path, answer }) => {
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer)),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('yields the answer under the contract, the same parts as generate()', async () => {
    const model = createLanguageModel(config(type, `${origin}${path}`), http());
    const signal = new AbortController().signal;
    const streamed: StreamPart[] = [];
    for await (const part of await model.stream(modelRequest(), { signal })) streamed.push(part);
    checkStreamParts(streamed, { requireUsage: true });
    const summary = summarize(streamed);
    expect(summary.text).toBe(TEXT);
    expect(summary.finish).toMatchObject({
      finishReason: 'stop',
      usage: { inputTokens: 3, outputTokens: 2 },
    });
    const generated = await model.generate(modelRequest(), { signal });
    expect(canonicalParts(streamed)).toEqual(canonicalParts(generated));
  });
});
