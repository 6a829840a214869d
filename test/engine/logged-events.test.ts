/** Events as logged: byte for byte JSON.stringify, with a shared Response serialised once. */
import { describe, expect, it } from 'vitest';
import { initialResponse } from '../../src/engine/initial-response.js';
import { toLogged } from '../../src/engine/logged-events.js';
import { ResponseEmitter } from '../../src/engine/response-emitter.js';
import type { CreateResponseBody } from '../../src/protocol/create-response.js';
import type { ResponseEvent } from '../../src/protocol/events.js';

function emitted(obfuscate: boolean): { events: ResponseEvent[]; logged: string[] } {
  const events: ResponseEvent[] = [];
  const logged: string[] = [];
  const body = { model: 'm', input: 'hi', metadata: { a: 'é"\\' } } as CreateResponseBody;
  const emitter = new ResponseEmitter(
    initialResponse('resp_1', body, 1),
    (event) => {
      logged.push(toLogged(event).data);
      // What the event is at the moment it is emitted.
      events.push(JSON.parse(JSON.stringify(event)) as ResponseEvent);
    },
    { includeLogprobs: false, obfuscate },
  );
  emitter.created();
  emitter.inProgress();
  emitter.part({ type: 'text-start', id: 't' });
  emitter.part({ type: 'text-delta', id: 't', delta: 'Hel\u2028"lo' });
  emitter.part({ type: 'text-end', id: 't' });
  emitter.finish('stop', { inputTokens: 1, outputTokens: 2, cachedInputTokens: 0, reasoningTokens: 0 }, 2);
  return { events, logged };
}

describe('toLogged', () => {
  it('is JSON.stringify of each event, created and in_progress sharing one snapshot', () => {
    const { events, logged } = emitted(true);
    expect(logged.map((data) => JSON.parse(data))).toEqual(events);
    expect(logged).toEqual(events.map((event) => JSON.stringify(event)));
    expect(events[0]!.type).toBe('response.created');
    expect(events[1]!.type).toBe('response.in_progress');
    expect((events[1] as { response: unknown }).response).toEqual(
      (events[0] as { response: unknown }).response,
    );
  });

  it('pads deltas with 2 to 19 alphanumeric characters', () => {
    for (let i = 0; i < 50; i++) {
      const delta = emitted(true).events.find((event) => event.type === 'response.output_text.delta') as {
        obfuscation: string;
      };
      expect(delta.obfuscation).toMatch(/^[A-Za-z0-9]{2,19}$/);
    }
    const plain = emitted(false).events.find((event) => event.type === 'response.output_text.delta');
    expect(plain).not.toHaveProperty('obfuscation');
  });
});
