/** The `obfuscation` padding of streamed delta events. */

const OBFUSCATION_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const OBFUSCATION_POOL_LENGTH = 4096;
let obfuscationPool = '';
let obfuscationOffset = 0;

/**
 * OpenAI pads delta events with random characters so that payload sizes do not reveal token
 * lengths; pads short deltas more. The characters are cut from a pool of random ones drawn 4096 at
 * a time (Math.random suffices: this hides sizes, it is no secret).
 */
export function obfuscationFor(delta: string): string {
  const length = Math.max(2, 16 - delta.length) + Math.floor(Math.random() * 4);
  if (obfuscationOffset + length > obfuscationPool.length) {
    let pool = '';
    for (let i = 0; i < OBFUSCATION_POOL_LENGTH; i++)
      pool += OBFUSCATION_ALPHABET[Math.floor(Math.random() * 62)];
    obfuscationPool = pool;
    obfuscationOffset = 0;
  }
  const padding = obfuscationPool.slice(obfuscationOffset, obfuscationOffset + length);
  obfuscationOffset += length;
  return padding;
}
