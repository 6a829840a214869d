/** The images client against the images mock: whole answers, streamed partials, refusals, edits. */
import { afterEach, describe, expect, it } from 'vitest';
import { ImagesClient } from '../../../src/tools/image-generation/images-client.js';
import {
  EDITED_B64,
  type ImagesMock,
  PNG_B64,
  partialB64,
  startImagesMock,
} from '../../mocks/images-mock.js';

let mock: ImagesMock | undefined;
let client: ImagesClient | undefined;
afterEach(async () => {
  await client?.close();
  await mock?.close();
});

const start = async (streams?: boolean | 'refuses') => {
  mock = await startImagesMock(streams === undefined ? {} : { streams });
  client = new ImagesClient({ baseUrl: mock.baseUrl, apiKey: 'k', model: 'img', timeoutMs: 5_000 });
  return client;
};
const signal = () => new AbortController().signal;

describe('ImagesClient', () => {
  it('reads a whole answer, with what the service made', async () => {
    const images = await start();
    const image = await images.generate(
      { prompt: 'a cat', size: '1536x1024', partialImages: 0 },
      () => {},
      signal(),
    );
    expect(image).toEqual({
      b64: PNG_B64,
      revisedPrompt: 'a cat',
      size: '1536x1024',
      quality: 'high',
      background: 'opaque',
      outputFormat: 'png',
    });
    expect(mock!.requests[0]).toEqual({
      prompt: 'a cat',
      size: '1536x1024',
      model: 'img',
      n: 1,
      authorization: 'Bearer k',
    });
  });

  it('streams partial images when asked', async () => {
    const images = await start();
    const partials: Array<[number, string]> = [];
    const image = await images.generate(
      { prompt: 'a cat', partialImages: 2 },
      (b64, index) => partials.push([index, b64]),
      signal(),
    );
    expect(partials).toEqual([
      [0, partialB64(0)],
      [1, partialB64(1)],
    ]);
    expect(image.b64).toBe(PNG_B64);
  });

  it('asks again without streaming when the service refuses the stream parameters', async () => {
    const images = await start('refuses');
    const partials: number[] = [];
    const image = await images.generate(
      { prompt: 'a cat', partialImages: 1 },
      (_b64, i) => partials.push(i),
      signal(),
    );
    expect(image.b64).toBe(PNG_B64);
    expect(partials).toEqual([]);
    expect(mock!.requests.map((r) => r.stream ?? null)).toEqual([true, null]);
  });

  it('rejects with the service message when it refuses the prompt', async () => {
    const images = await start();
    await expect(
      images.generate({ prompt: 'refuse me', partialImages: 0 }, () => {}, signal()),
    ).rejects.toThrow(/safety system/);
  });

  describe('edit', () => {
    const photo = { mediaType: 'image/png', base64: Buffer.from('photo').toString('base64') };
    const other = { mediaType: 'image/webp', base64: Buffer.from('other').toString('base64') };
    const mask = { mediaType: 'image/png', base64: Buffer.from('mask').toString('base64') };

    it('posts a multipart form: images as image[] when several, the mask, the settings', async () => {
      const images = await start();
      const image = await images.edit(
        { prompt: 'purple sky', input_fidelity: 'high', output_format: 'webp', partialImages: 0 },
        { images: [photo, other], mask },
        () => {},
        signal(),
      );
      expect(image).toMatchObject({ b64: EDITED_B64, outputFormat: 'webp' });
      expect(mock!.edits).toEqual([
        {
          fields: {
            prompt: 'purple sky',
            input_fidelity: 'high',
            output_format: 'webp',
            model: 'img',
            n: '1',
          },
          imageField: 'image[]',
          images: [
            { name: 'image-1.png', type: 'image/png', b64: photo.base64 },
            { name: 'image-2.webp', type: 'image/webp', b64: other.base64 },
          ],
          mask: { name: 'mask.png', type: 'image/png', b64: mask.base64 },
          authorization: 'Bearer k',
        },
      ]);
    });

    it('streams image_edit partials, and asks again without streaming when refused', async () => {
      const partials: number[] = [];
      const streamed = await (await start()).edit(
        { prompt: 'purple sky', partialImages: 1 },
        { images: [photo] },
        (_b64, i) => partials.push(i),
        signal(),
      );
      expect([streamed.b64, partials]).toEqual([EDITED_B64, [0]]);
      await client!.close();
      await mock!.close();
      const fallback = await (await start('refuses')).edit(
        { prompt: 'purple sky', partialImages: 1 },
        { images: [photo] },
        () => {},
        signal(),
      );
      expect(fallback.b64).toBe(EDITED_B64);
      expect(mock!.edits.map((edit) => edit.fields.stream ?? null)).toEqual(['true', null]);
    });
  });
});
