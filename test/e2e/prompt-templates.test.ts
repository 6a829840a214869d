/** `prompt: {id, version, variables}`: versioned templates from the config file. */
import type OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { sdkClient } from '../helpers/test-gateway.js';
import { expectError, upstreamMessages } from './state-helpers.js';
import type { Any } from './stream-helpers.js';

let client: OpenAI;

const IMAGE = 'data:image/png;base64,iVBORw0KGgo=';

const harness = useHarness(
  { kind: 'text', text: 'Hello!' },
  {
    config: {
      prompts: {
        greeter: {
          versions: {
            '1': { instructions: 'You greet {{name}}.' },
            '2': {
              instructions: 'You greet {{ name }} warmly, in {{language}}.',
              input: [
                { role: 'user', content: 'Look at {{photo}} and say hi to {{name}}.' },
                { role: 'assistant', content: 'I will greet {{name}}.' },
              ],
            },
          },
        },
        summary: { versions: { '1': { input: 'Summarise: {{text}}' } } },
      },
    },
  },
);
beforeAll(() => {
  client = sdkClient(harness);
});

describe('prompt templates', () => {
  it('uses the highest version by default and fills text, input_text and image variables', async () => {
    const variables = {
      name: 'Ada',
      language: { type: 'input_text' as const, text: 'French' },
      photo: { type: 'input_image' as const, image_url: IMAGE, detail: 'low' as const },
    };
    const response = await client.responses.create({
      model: 'gpt-4o',
      prompt: { id: 'greeter', variables },
      input: 'Hello there',
    });
    expect(response.prompt).toEqual({ id: 'greeter', version: '2', variables });
    expect(response.instructions).toBe('You greet Ada warmly, in French.');
    expect(upstreamMessages(harness)).toEqual([
      { role: 'system', content: 'You greet Ada warmly, in French.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look at ' },
          { type: 'image_url', image_url: { url: IMAGE, detail: 'low' } },
          { type: 'text', text: ' and say hi to Ada.' },
        ],
      },
      { role: 'assistant', content: 'I will greet Ada.' },
      { role: 'user', content: 'Hello there' },
    ]);
    // The template's messages are part of the stored input.
    const items = await client.responses.inputItems.list(response.id, { order: 'asc' });
    expect(items.data.map((item: Any) => item.role)).toEqual(['user', 'assistant', 'user']);
  });

  it('takes an explicit version, and puts the request instructions after the template ones', async () => {
    const response = await client.responses.create({
      model: 'gpt-4o',
      prompt: { id: 'greeter', version: '1', variables: { name: 'Grace' } },
      instructions: 'Keep it short.',
      input: 'Hi',
    });
    expect(response.prompt).toMatchObject({ id: 'greeter', version: '1' });
    expect(upstreamMessages(harness)).toEqual([
      { role: 'system', content: 'You greet Grace.\n\nKeep it short.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('serves a template with input only, without request input', async () => {
    await client.responses.create({
      model: 'gpt-4o',
      prompt: { id: 'summary', variables: { text: 'a b c' } },
    });
    expect(upstreamMessages(harness)).toEqual([{ role: 'user', content: 'Summarise: a b c' }]);
  });

  it('refuses unknown templates, versions and missing variables with a 400 naming the parameter', async () => {
    const unknown = await harness.post('/v1/responses', {
      model: 'gpt-4o',
      prompt: { id: 'nope' },
      input: 'x',
    });
    expectError(unknown, 400, { param: 'prompt.id', code: 'invalid_value' });
    expect(unknown.body.error.message).toBe("Prompt template 'nope' not found.");

    const version = await harness.post('/v1/responses', {
      model: 'gpt-4o',
      prompt: { id: 'greeter', version: '7', variables: { name: 'x' } },
      input: 'x',
    });
    expectError(version, 400, { param: 'prompt.version', code: 'invalid_value' });
    expect(version.body.error.message).toBe(
      "Prompt template 'greeter' has no version '7'. Available versions: '1', '2'.",
    );

    const missing = await harness.post('/v1/responses', {
      model: 'gpt-4o',
      prompt: { id: 'greeter', variables: { name: 'Ada' } },
    });
    expectError(missing, 400, { param: 'prompt.variables', code: 'missing_required_parameter' });
    expect(missing.body.error.message).toContain("'language', 'photo'");

    const misplaced = await harness.post('/v1/responses', {
      model: 'gpt-4o',
      prompt: {
        id: 'greeter',
        version: '1',
        variables: { name: { type: 'input_image', image_url: IMAGE } },
      },
    });
    expectError(misplaced, 400, { param: 'prompt.variables.name', code: 'invalid_value' });
    expect(harness.mock.requests).toHaveLength(0);
  });
});
