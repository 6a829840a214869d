import { describe, expect, it } from 'vitest';
import { buildGeminiRequest } from '../../../src/providers/gemini/build-gemini-request.js';
import type { ToolSpec } from '../../../src/providers/types.js';
import { modelRequest } from '../model-request.js';

const weather: ToolSpec = {
  kind: 'function',
  name: 'weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: true,
};
const time: ToolSpec = { kind: 'function', name: 'time', parameters: null, strict: null };
const shell: ToolSpec = { kind: 'custom', name: 'shell', description: 'Runs a command' };

describe('buildGeminiRequest', () => {
  it('sends contents only when nothing else is asked', () => {
    const { body, warnings } = buildGeminiRequest(modelRequest());
    expect(body).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(warnings).toEqual([]);
  });

  it('maps limits, sampling and system instructions', () => {
    const { body } = buildGeminiRequest(
      modelRequest({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        ],
        maxOutputTokens: 500,
        temperature: 1.4,
        topP: 0.9,
      }),
    );
    expect(body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      generationConfig: { maxOutputTokens: 500, temperature: 1.4, topP: 0.9 },
    });
    expect(buildGeminiRequest(modelRequest({ temperature: 0 })).body.generationConfig).toEqual({
      temperature: 0,
    });
  });

  it('maps json_schema and json_object output', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } } };
    expect(
      buildGeminiRequest(
        modelRequest({ outputFormat: { type: 'json_schema', name: 'x', schema, strict: true } }),
      ).body.generationConfig,
    ).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    expect(
      buildGeminiRequest(modelRequest({ outputFormat: { type: 'json_object' } })).body.generationConfig,
    ).toEqual({
      responseMimeType: 'application/json',
    });
  });

  it.each([
    ['minimal', 512],
    ['low', 1024],
    ['medium', 8192],
    ['high', 24576],
    ['xhigh', 24576],
  ])('maps effort %s to thoughts with a budget of %i', (effort, budget) => {
    expect(buildGeminiRequest(modelRequest({ reasoningEffort: effort })).body.generationConfig).toEqual({
      thinkingConfig: { includeThoughts: true, thinkingBudget: budget },
    });
  });

  it('turns thinking off for effort none and asks for thoughts for a summary alone', () => {
    expect(buildGeminiRequest(modelRequest({ reasoningEffort: 'none' })).body.generationConfig).toEqual({
      thinkingConfig: { thinkingBudget: 0 },
    });
    expect(buildGeminiRequest(modelRequest({ reasoningSummary: 'auto' })).body.generationConfig).toEqual({
      thinkingConfig: { includeThoughts: true },
    });
  });

  it('declares functions with their JSON schema and custom tools as {input} functions', () => {
    const { body, mapOptions } = buildGeminiRequest(modelRequest({ tools: [weather, time, shell] }));
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'weather', description: 'Weather for a city', parametersJsonSchema: weather.parameters },
          { name: 'time' },
          {
            name: 'shell',
            description: 'Runs a command',
            parametersJsonSchema: expect.objectContaining({ required: ['input'] }),
          },
        ],
      },
    ]);
    expect(body.toolConfig).toBeUndefined();
    expect([...mapOptions.customToolNames]).toEqual(['shell']);
  });

  it('maps every tool choice to functionCallingConfig', () => {
    const config = (toolChoice: Parameters<typeof modelRequest>[0]) =>
      buildGeminiRequest(modelRequest({ tools: [weather, time], ...toolChoice })).body;
    expect(config({ toolChoice: { type: 'auto' } }).toolConfig).toEqual({
      functionCallingConfig: { mode: 'AUTO' },
    });
    expect(config({ toolChoice: { type: 'none' } }).toolConfig).toEqual({
      functionCallingConfig: { mode: 'NONE' },
    });
    expect(config({ toolChoice: { type: 'required' } }).toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY' },
    });
    expect(config({ toolChoice: { type: 'tool', name: 'time' } }).toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['time'] },
    });
    expect(
      config({ toolChoice: { type: 'allowed', mode: 'required', names: ['weather'] } }).toolConfig,
    ).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['weather'] },
    });
    const allowedAuto = config({ toolChoice: { type: 'allowed', mode: 'auto', names: ['weather'] } });
    expect(allowedAuto.toolConfig).toEqual({ functionCallingConfig: { mode: 'AUTO' } });
    expect(allowedAuto.tools?.[0]?.functionDeclarations.map((d) => d.name)).toEqual(['weather']);
  });

  it('warns about what Gemini cannot take', () => {
    const { warnings } = buildGeminiRequest(
      modelRequest({ tools: [weather], parallelToolCalls: false, logprobs: 0 }),
    );
    expect(warnings).toHaveLength(2);
  });
});
