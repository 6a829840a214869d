/** A non-streaming request (no sink) ends with the same Response as the fold of the streamed events. */
import { describe, expect, it } from 'vitest';
import { initialResponse } from '../../src/engine/initial-response.js';
import { ResponseEmitter } from '../../src/engine/response-emitter.js';
import { ResponseReducer } from '../../src/engine/response-reducer.js';
import type { CreateResponseBody } from '../../src/protocol/create-response.js';
import type { ResponseEvent } from '../../src/protocol/events.js';
import type { ResponseObject } from '../../src/protocol/response.js';
import type { StreamPart } from '../../src/providers/types.js';

const PARTS: StreamPart[] = [
  { type: 'reasoning-start', id: 'r' },
  { type: 'reasoning-delta', id: 'r', delta: 'think', kind: 'text' },
  { type: 'reasoning-end', id: 'r' },
  { type: 'text-start', id: 't' },
  { type: 'text-delta', id: 't', delta: 'Hel' },
  { type: 'text-delta', id: 't', delta: 'lo' },
  { type: 'text-end', id: 't' },
  { type: 'tool-input-start', id: 'c', callId: 'call_1', toolName: 'f', toolKind: 'function' },
  { type: 'tool-input-delta', id: 'c', delta: '{"a":' },
  { type: 'tool-input-delta', id: 'c', delta: '1}' },
  { type: 'tool-input-end', id: 'c' },
];

function run(
  observed: boolean,
  end: 'finish' | 'fail',
): { response: ResponseObject; events: ResponseEvent[] } {
  const events: ResponseEvent[] = [];
  const body = { model: 'm', input: 'hi' } as CreateResponseBody;
  const initial = initialResponse('resp_1', body, 1);
  const emitter = new ResponseEmitter(
    initial,
    observed ? (event) => events.push(JSON.parse(JSON.stringify(event)) as ResponseEvent) : () => {},
    { includeLogprobs: false, obfuscate: false, unobserved: !observed },
  );
  emitter.created();
  emitter.inProgress();
  for (const part of PARTS) emitter.part(part);
  if (end === 'finish') {
    emitter.finish('stop', { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, reasoningTokens: 0 }, 2);
  } else {
    emitter.fail({ code: 'server_error', message: 'boom' });
  }
  // The initial Response is never changed by running it.
  expect(initial.output).toEqual([]);
  return { response: emitter.response, events };
}

/** Item ids are random: compare by position. */
const normalized = (response: ResponseObject) =>
  JSON.parse(JSON.stringify(response).replace(/"(msg|rs|fc)_[0-9a-f]{48}"/g, '"$1_x"'));

describe('ResponseEmitter without a sink', () => {
  for (const end of ['finish', 'fail'] as const) {
    it(`gives the Response the events fold into (${end})`, () => {
      const streamed = run(true, end);
      const folded = new ResponseReducer(initialResponse('resp_1', { model: 'm' } as CreateResponseBody, 1));
      for (const event of streamed.events) folded.apply(event);
      expect(normalized(folded.response)).toEqual(normalized(streamed.response));
      expect(normalized(run(false, end).response)).toEqual(normalized(streamed.response));
    });
  }
});
