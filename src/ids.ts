import { randomBytes } from 'node:crypto';

export type IdPrefix =
  | 'resp'
  | 'msg'
  | 'fc'
  | 'ctc'
  | 'rs'
  | 'conv'
  | 'file-'
  | 'vs'
  | 'vsfb'
  | 'ws'
  | 'fs'
  | 'ci'
  | 'mcp'
  | 'mcpl'
  | 'mcpr'
  | 'ig'
  | 'sh'
  | 'sho'
  | 'apc'
  | 'lsh'
  | 'cu'
  | 'tsc'
  | 'cntr'
  | 'cfile'
  | 'vsfb'
  | 'cmp'
  | 'key'
  | 'req';

// One 4 KiB draw of randomness serves ~220 ids, so id generation stays off the syscall path; it is
// turned into hex once, and each id takes a slice of that.
const POOL_BYTES = 4096;
const RANDOM_HEX = 36;
let poolHex = '';
let offset = 0;

let lastMs = -1;
let lastMsHex = '';

/**
 * 48 hex characters: the creation time in milliseconds (12), then 144 random bits (36). Like
 * OpenAI's own ids, they start with their creation time; ids made one after another therefore sort
 * one after another, so the store's indexes on them grow at their right edge (a save dirties the
 * same few B-tree pages as the last one, instead of a random page per index).
 */
function timeOrderedHex48(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastMsHex = now.toString(16).padStart(12, '0');
  }
  if (offset + RANDOM_HEX > poolHex.length) {
    poolHex = randomBytes(POOL_BYTES).toString('hex');
    offset = 0;
  }
  const hex = poolHex.slice(offset, offset + RANDOM_HEX);
  offset += RANDOM_HEX;
  return lastMsHex + hex;
}

/** OpenAI-looking ids: a prefix and 48 hex characters (`file-` carries its own dash). */
export function newId(prefix: IdPrefix): string {
  return prefix.endsWith('-') ? prefix + timeOrderedHex48() : `${prefix}_${timeOrderedHex48()}`;
}
