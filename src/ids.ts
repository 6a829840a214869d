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
  | 'ws'
  | 'fs'
  | 'ci'
  | 'mcp'
  | 'cmp'
  | 'key'
  | 'req';

// One 4 KiB draw of randomness serves ~170 ids, so id generation stays off the syscall path.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let offset = POOL_BYTES;

function randomHex48(): string {
  if (offset + 24 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + 24);
  offset += 24;
  return hex;
}

/** OpenAI-looking ids: a prefix and 48 random hex characters (`file-` carries its own dash). */
export function newId(prefix: IdPrefix): string {
  return prefix.endsWith('-') ? prefix + randomHex48() : `${prefix}_${randomHex48()}`;
}
