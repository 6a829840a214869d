/**
 * image_generation edits through the openai SDK: a Chat Completions mock as the model, the images
 * mock as the service (`/v1/images/edits`, multipart), media served from 127.0.0.1. The image to
 * edit comes from this input (data URL, allowed URL, file id) or an earlier turn's generated
 * image; the entry's mask goes as `mask`; `edit` with nothing to edit fails that call only;
 * `generate` never edits; a refused URL (loopback, not allowed) is a 400 before any upstream call.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FileContentSource } from '../../src/engine/media/file-content-source.js';
import type { JsonBody } from '../helpers/json-body.js';
import { sdkClient, startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { type MockChatUpstream, startMockChatUpstream } from '../mocks/chat-completions-mock.js';
import { EDITED_B64, type ImagesMock, PNG_B64, partialB64, startImagesMock } from '../mocks/images-mock.js';
import { type MediaServer, startMediaServer } from '../mocks/media-server.js';

const PHOTO = Buffer.from('89504e470d0a1a0a0000000d4948445200000002', 'hex');
const MASK = Buffer.from('89504e470d0a1a0a6d61736b', 'hex');
const dataUrl = (bytes: Buffer) => `data:image/png;base64,${bytes.toString('base64')}`;

let chat: MockChatUpstream;
let images: ImagesMock;
let media: MediaServer;
let gw: TestGateway;
let client: OpenAI;

const files: FileContentSource = {
  get: (_tenantId, fileId) =>
    fileId === 'file-mask' ? { filename: 'mask.png', mediaType: 'image/png', bytes: MASK } : undefined,
};
const lookup = async (hostname: string) => {
  if (hostname === 'media.test') return [{ address: '127.0.0.1', family: 4 }];
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
};

beforeAll(async () => {
  chat = await startMockChatUpstream();
  images = await startImagesMock();
  media = await startMediaServer({ '/photo.png': { body: PHOTO, contentType: 'image/png' } });
  gw = await startTestGateway(
    {
      OPENAI_BASE_URL: chat.baseUrl,
      OPENAI_API_KEY: 'k',
      RGW_IMAGES_BASE_URL: images.baseUrl,
      RGW_IMAGES_API_KEY: 'img-key',
      RGW_IMAGES_MODEL: 'img-model',
      RGW_OUTBOUND_ALLOW: 'media.test',
    },
    undefined,
    { lookup, files },
  );
  client = sdkClient(gw);
});

beforeEach(() => {
  chat.reset();
  images.requests.length = 0;
  images.edits.length = 0;
  media.hits.clear();
});

afterAll(async () => {
  await gw?.close();
  await chat?.close();
  await images?.close();
  await media?.close();
});

/** The model calls the tool with `args`, then answers. */
function script(args: Record<string, unknown>): void {
  chat.enqueue(
    {
      kind: 'text',
      text: '',
      toolCalls: [{ id: 'call_ig', name: 'image_generation', arguments: JSON.stringify(args) }],
    },
    { kind: 'text', text: 'Here it is.' },
  );
}

function withImage(image: Record<string, unknown>, text = 'Make the sky purple.') {
  return [
    {
      role: 'user' as const,
      content: [
        { type: 'input_text', text },
        { type: 'input_image', ...image },
      ],
    },
  ];
}

/** The image_generation function the model was offered in the n-th upstream request. */
function offered(n = 0): JsonBody {
  return chat.requests[n]!.body.tools.find((tool: JsonBody) => tool.function.name === 'image_generation')
    .function;
}

/** What the model was told of the call (the second upstream request's tool message). */
function toldModel(): string {
  return chat.requests[1]!.body.messages.find((message: JsonBody) => message.role === 'tool').content;
}

const create = (body: Record<string, unknown>) =>
  client.responses.create({
    model: 'openai/mock-chat',
    ...body,
  } as OpenAI.Responses.ResponseCreateParamsNonStreaming);

describe('image_generation edits', () => {
  it('edits an input_image given as a data URL, the model choosing to (action auto)', async () => {
    script({ prompt: 'The photo with a purple sky', action: 'edit', image: null });
    const response = await create({
      input: withImage({ image_url: dataUrl(PHOTO), detail: 'auto' }),
      tools: [{ type: 'image_generation', size: '1024x1024', quality: 'low', input_fidelity: 'high' }],
    });
    expect(response.status).toBe('completed');
    expect(response.output[0]).toEqual({
      id: expect.stringMatching(/^ig_/),
      type: 'image_generation_call',
      status: 'completed',
      result: EDITED_B64,
      revised_prompt: 'The photo with a purple sky',
      size: '1024x1024',
      quality: 'low',
      background: 'opaque',
      output_format: 'png',
    });
    expect(images.requests).toEqual([]);
    expect(images.edits).toEqual([
      {
        fields: {
          prompt: 'The photo with a purple sky',
          model: 'img-model',
          size: '1024x1024',
          quality: 'low',
          input_fidelity: 'high',
          n: '1',
        },
        imageField: 'image',
        images: [{ name: 'image-1.png', type: 'image/png', b64: PHOTO.toString('base64') }],
        mask: null,
        authorization: 'Bearer img-key',
      },
    ]);
    const fn = offered();
    expect(fn.parameters.properties.action.enum).toEqual(['generate', 'edit']);
    expect(fn.parameters.required).toEqual(['prompt', 'action', 'image']);
    expect(fn.description).toContain('1. an image the user sent');
    expect(toldModel()).toMatch(/image was edited and is shown/);
  });

  it("edits the previous turn's generated image (previous_response_id)", async () => {
    script({ prompt: 'A red robot mower' });
    const first = await create({ input: 'Draw a robot mower.', tools: [{ type: 'image_generation' }] });
    expect(first.output[0]).toMatchObject({ status: 'completed', result: PNG_B64 });
    // No image in context yet: the plain generation function.
    expect(Object.keys(offered().parameters.properties)).toEqual(['prompt']);
    expect(images.requests).toHaveLength(1);

    chat.reset();
    script({ prompt: 'The robot mower, painted blue', action: 'edit', image: 1 });
    const second = await create({
      input: 'Now paint it blue.',
      previous_response_id: first.id,
      tools: [{ type: 'image_generation' }],
    });
    expect(second.output[0]).toMatchObject({ status: 'completed', result: EDITED_B64 });
    expect(offered().description).toContain('1. the image generated for "A red robot mower"');
    expect(images.edits).toHaveLength(1);
    expect(images.edits[0]!.images).toEqual([{ name: 'image-1.png', type: 'image/png', b64: PNG_B64 }]);
    expect(images.requests).toHaveLength(1);
  });

  it('sends the entry’s input_image_mask as the mask part (data URL or file id)', async () => {
    for (const mask of [{ image_url: dataUrl(MASK) }, { file_id: 'file-mask' }]) {
      chat.reset();
      images.edits.length = 0;
      script({ prompt: 'Purple sky only', image: null });
      const response = await create({
        input: withImage({ image_url: dataUrl(PHOTO) }),
        tools: [{ type: 'image_generation', action: 'edit', input_image_mask: mask }],
      });
      expect(response.output[0]).toMatchObject({ status: 'completed', result: EDITED_B64 });
      expect(images.edits[0]!.mask).toEqual({
        name: 'mask.png',
        type: 'image/png',
        b64: MASK.toString('base64'),
      });
      // Under `edit` the model only says which image.
      expect(offered().parameters.required).toEqual(['prompt', 'image']);
    }
  });

  it('is a 400 naming the mask when its URL is refused, before any upstream call', async () => {
    const error = await create({
      input: withImage({ image_url: dataUrl(PHOTO) }),
      tools: [
        {
          type: 'image_generation',
          input_image_mask: { image_url: `http://127.0.0.1:${media.port}/photo.png` },
        },
      ],
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      status: 400,
      param: 'tools[0].input_image_mask',
      code: 'invalid_image_url',
    });
    expect(chat.requests).toHaveLength(0);
  });

  it('is a 400 for a mask that names neither or both of image_url and file_id', async () => {
    for (const mask of [{}, { image_url: dataUrl(MASK), file_id: 'file-mask' }]) {
      const error = await create({
        input: 'x',
        tools: [{ type: 'image_generation', input_image_mask: mask }],
      }).catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, param: 'tools[0].input_image_mask' });
    }
    expect(chat.requests).toHaveLength(0);
  });

  it('fails the call, not the response, for action edit with no image in context', async () => {
    script({ prompt: 'Make it purple' });
    const response = await create({
      input: 'Edit it.',
      tools: [{ type: 'image_generation', action: 'edit' }],
    });
    expect(response.status).toBe('completed');
    expect(response.output[0]).toMatchObject({
      type: 'image_generation_call',
      status: 'failed',
      result: null,
      revised_prompt: 'Make it purple',
    });
    expect(response.output_text).toBe('Here it is.');
    expect(toldModel()).toMatch(/no image in this conversation to edit/);
    expect(images.edits).toEqual([]);
    expect(images.requests).toEqual([]);
  });

  it('never edits under action generate, even with an image in context', async () => {
    script({ prompt: 'A new purple sky' });
    const response = await create({
      input: withImage({ image_url: dataUrl(PHOTO) }),
      tools: [{ type: 'image_generation', action: 'generate' }],
    });
    expect(response.output[0]).toMatchObject({ status: 'completed', result: PNG_B64 });
    expect(images.edits).toEqual([]);
    expect(images.requests).toEqual([
      { model: 'img-model', prompt: 'A new purple sky', n: 1, authorization: 'Bearer img-key' },
    ]);
    expect(Object.keys(offered().parameters.properties)).toEqual(['prompt']);
  });

  it('streams an edit with its partial images', async () => {
    script({ prompt: 'Purple sky', action: 'edit', image: null });
    const stream = await client.responses.create({
      model: 'openai/mock-chat',
      input: withImage({ image_url: dataUrl(PHOTO) }),
      tools: [{ type: 'image_generation', partial_images: 2 }],
      stream: true,
    } as OpenAI.Responses.ResponseCreateParamsStreaming);
    const events: JsonBody[] = [];
    for await (const event of stream) events.push(event);
    expect(events.map((event) => event.type).filter((type) => type.includes('image_generation'))).toEqual([
      'response.image_generation_call.in_progress',
      'response.image_generation_call.generating',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.partial_image',
      'response.image_generation_call.completed',
    ]);
    const partials = events.filter((event) => event.type === 'response.image_generation_call.partial_image');
    expect(partials.map((event) => [event.partial_image_index, event.partial_image_b64])).toEqual([
      [0, partialB64(0)],
      [1, partialB64(1)],
    ]);
    expect(images.edits[0]!.fields).toMatchObject({ stream: 'true', partial_images: '2' });
    const done = events.at(-1);
    expect(done.type).toBe('response.completed');
    expect(done.response.output[0]).toMatchObject({ status: 'completed', result: EDITED_B64 });
  });

  it('fetches an input_image URL through the guard: allowed host edited, 127.0.0.1 refused', async () => {
    script({ prompt: 'Purple sky', action: 'edit', image: null });
    const response = await create({
      input: withImage({ image_url: `http://media.test:${media.port}/photo.png` }),
      tools: [{ type: 'image_generation' }],
    });
    expect(response.output[0]).toMatchObject({ status: 'completed', result: EDITED_B64 });
    expect(images.edits[0]!.images[0]!.b64).toBe(PHOTO.toString('base64'));
    expect(media.hits.get('/photo.png')).toBe(1);

    chat.reset();
    media.hits.clear();
    const error = await create({
      input: withImage({ image_url: `http://127.0.0.1:${media.port}/photo.png` }),
      tools: [{ type: 'image_generation' }],
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      status: 400,
      param: 'input[0].content[1].image_url',
      code: 'invalid_image_url',
    });
    expect(media.hits.size).toBe(0);
    expect(chat.requests).toHaveLength(0);
  });
});
