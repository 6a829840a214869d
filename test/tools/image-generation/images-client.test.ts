/** The images client against the images mock: whole answers, streamed partials, refusals. */
import { afterEach, describe, expect, it } from 'vitest';
import { ImagesClient } from '../../../src/tools/image-generation/images-client.js';
import { type ImagesMock, PNG_B64, partialB64, startImagesMock } from '../../mocks/images-mock.js';

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
});
