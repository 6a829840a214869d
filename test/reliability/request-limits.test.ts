/**
 * Limits on what one request may hold: nesting depth (a 100,000-level tool schema used to
 * overflow the stack into a 500), besides the body size and metadata limits tested elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { MAX_BODY_DEPTH } from '../../src/server/body-depth.js';
import { useHarness } from '../helpers/gateway-harness.js';

const harness = useHarness({ kind: 'text', text: 'Fine.' });
const schema = (levels: number): string =>
  `${'{"type":"object","properties":{"a":'.repeat(levels)}{"type":"string"}${'}}'.repeat(levels)}`;
const post = (body: string) =>
  fetch(`${harness.url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
    body,
  });

describe('request limits', () => {
  it.each([
    [
      'a tool schema',
      (s: string) => `{"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":${s}}]}`,
      'tools[0].parameters',
    ],
    [
      'a json_schema format',
      (s: string) =>
        `{"model":"m","input":"x","text":{"format":{"type":"json_schema","name":"n","schema":${s}}}}`,
      'text.format.schema',
    ],
    [
      'a streamed request',
      (s: string) =>
        `{"model":"m","input":"x","stream":true,"tools":[{"type":"function","name":"f","parameters":${s}}]}`,
      'tools[0].parameters',
    ],
  ])('refuses %s nested 100,000 levels deep with a 400 naming where', async (_what, body, param) => {
    const answer = await post(body(schema(100_000)));
    expect(answer.status).toBe(400);
    const { error } = (await answer.json()) as { error: { code: string; param: string; message: string } };
    expect(error.code).toBe('nesting_too_deep');
    expect(error.param.startsWith(`${param}.properties.a`)).toBe(true);
    expect(error.message).toContain(`more than ${MAX_BODY_DEPTH} levels`);
  });

  it('takes a deeply nested but reasonable schema', async () => {
    const answer = await post(
      `{"model":"m","input":"x","tools":[{"type":"function","name":"f","parameters":${schema(40)}}]}`,
    );
    expect(answer.status).toBe(200);
  });

  it('keeps serving after the refusals', async () => {
    expect((await post('{"model":"m","input":"x"}')).status).toBe(200);
  });
});
