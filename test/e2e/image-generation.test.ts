/**
 * image_generation through the openai SDK on every mock upstream, with an images mock on
 * 127.0.0.1: the scripted model calls the tool, the image comes back as an `image_generation_call`
 * item (base64 result, prompt, what was made), streamed with its phases and partial images when
 * asked, stored; a refusing images service fails that call only; no images service is a 400.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicDriver } from '../conformance/drivers/anthropic-driver.js';
import { chatDriver } from '../conformance/drivers/chat-driver.js';
import type { ConformanceDriver } from '../conformance/drivers/driver.js';
import { geminiDriver } from '../conformance/drivers/gemini-driver.js';
import { responsesDriver } from '../conformance/drivers/responses-driver.js';
import { type ImagesMock, PNG_B64, partialB64, startImagesMock } from '../mocks/images-mock.js';
import type { Any, ProviderGateway } from '../providers/provider-gateway.js';
import { checkStream } from './stream-helpers.js';

const DRIVERS: ConformanceDriver[] = [chatDriver(), responsesDriver(), anthropicDriver(), geminiDriver()];
const PROMPT = 'A red robot mower on a green lawn, flat illustration';

describe.each(DRIVERS.map((driver) => [driver.name, driver] as const))(
  'image_generation on %s',
  (_name, driver) => {
    let gw: ProviderGateway;
    let images: ImagesMock;
    const ask = (
      tool: Record<string, unknown> = {},
      extra: Record<string, unknown> = {},
      prompt = PROMPT,
    ) => {
      driver.reset();
      images.requests.length = 0;
      driver.script!.toolCalls([{ callId: 'call_ig', name: 'image_generation', args: { prompt } }]);
      driver.script!.text('Here is your mower.');
      return {
        model: driver.model,
        input: 'Draw me a robot mower.',
        tools: [{ type: 'image_generation', ...tool }],
        ...extra,
      } as Any;
    };
    const expectImage = (response: Any, made: Record<string, unknown>) => {
      expect(response.status).toBe('completed');
      expect(response.output.map((item: Any) => item.type)).toEqual(['image_generation_call', 'message']);
      expect(response.output[0]).toEqual({
        id: expect.stringMatching(/^ig_[0-9a-f]{48}$/),
        type: 'image_generation_call',
        status: 'completed',
        result: PNG_B64,
        revised_prompt: PROMPT,
        ...made,
      });
      expect(response.output_text).toBe('Here is your mower.');
    };

    beforeAll(async () => {
      images = await startImagesMock();
      gw = await driver.start({
        builtInTools: 'gateway',
        env: {
          RGW_IMAGES_BASE_URL: images.baseUrl,
          RGW_IMAGES_API_KEY: 'img-key',
          RGW_IMAGES_MODEL: 'img-model',
        },
      });
    });
    afterAll(async () => {
      await gw?.close();
      await driver.close();
      await images?.close();
    });

    it('generates an image with the entry settings, stored', async () => {
      const response: Any = await gw.client.responses.create(ask({ size: '1024x1536', quality: 'low' }));
      expectImage(response, {
        size: '1024x1536',
        quality: 'low',
        background: 'opaque',
        output_format: 'png',
      });
      expect(images.requests).toEqual([
        {
          model: 'img-model',
          prompt: PROMPT,
          n: 1,
          size: '1024x1536',
          quality: 'low',
          authorization: 'Bearer img-key',
        },
      ]);
      expect(driver.sent(1).toolResults[0]!.output).toMatch(/generated/);
      const stored: Any = await gw.client.responses.retrieve(response.id);
      expect(stored.output).toEqual(response.output);
    });

    it('streams its phases and the partial images asked for', async () => {
      const result = await gw.stream({ ...ask({ partial_images: 2, model: 'gpt-image-1' }), stream: true });
      checkStream(result);
      expect(result.types.filter((type) => type.includes('image_generation'))).toEqual([
        'response.image_generation_call.in_progress',
        'response.image_generation_call.generating',
        'response.image_generation_call.partial_image',
        'response.image_generation_call.partial_image',
        'response.image_generation_call.completed',
      ]);
      const partials = result.data.filter(
        (event) => event.type === 'response.image_generation_call.partial_image',
      );
      expect(partials.map((event) => [event.partial_image_index, event.partial_image_b64])).toEqual([
        [0, partialB64(0)],
        [1, partialB64(1)],
      ]);
      expect(partials[0]).toMatchObject({ output_index: 0, item_id: expect.stringMatching(/^ig_/) });
      expect(images.requests[0]).toMatchObject({ stream: true, partial_images: 2, model: 'gpt-image-1' });
      const final = result.data.at(-1).response;
      expectImage(final, { size: '1024x1024', quality: 'high', background: 'opaque', output_format: 'png' });
      expect((await gw.client.responses.retrieve(final.id)).output).toEqual(final.output);
    });

    it('fails that call only when the images service refuses', async () => {
      const response: Any = await gw.client.responses.create(ask({}, { store: false }, 'please refuse this'));
      expect(response.status).toBe('completed');
      expect(response.output[0]).toMatchObject({
        type: 'image_generation_call',
        status: 'failed',
        result: null,
      });
      expect(driver.sent(1).toolResults[0]!.output).toMatch(/image_generation failed: .*safety system/);
    });
  },
);

describe('image_generation without streamed partials or a service', () => {
  const driver = chatDriver();
  let gw: ProviderGateway;
  let images: ImagesMock;
  beforeAll(async () => {
    images = await startImagesMock({ streams: false });
    gw = await driver.start({ builtInTools: 'gateway', env: { RGW_IMAGES_BASE_URL: images.baseUrl } });
  });
  afterAll(async () => {
    await gw?.close();
    await driver.close();
    await images?.close();
  });

  it('sends no partial images when the service answers plain JSON', async () => {
    driver.reset();
    driver.script!.toolCalls([{ callId: 'c', name: 'image_generation', args: { prompt: PROMPT } }]);
    driver.script!.text('Done.');
    const result = await gw.stream({
      model: driver.model,
      input: 'Draw',
      tools: [{ type: 'image_generation', partial_images: 3 }],
      stream: true,
    });
    checkStream(result);
    expect(result.types).not.toContain('response.image_generation_call.partial_image');
    expect(result.data.at(-1).response.output[0]).toMatchObject({ status: 'completed', result: PNG_B64 });
  });

  it('is a 400 naming the setting on a gateway without an images service', async () => {
    const bare = await chatDriver().start({ builtInTools: 'gateway' });
    try {
      await expect(
        bare.client.responses.create({ model: 'gpt-x', input: 'x', tools: [{ type: 'image_generation' }] }),
      ).rejects.toMatchObject({
        status: 400,
        param: 'tools[0].type',
        message: expect.stringContaining('RGW_IMAGES_BASE_URL'),
      });
    } finally {
      await bare.close();
    }
  });
});
