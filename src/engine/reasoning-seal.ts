/**
 * Seals reasoning for stateless replay (`store:false` + `include: ["reasoning.encrypted_content"]`):
 * AES-256-GCM under a server key, so clients can carry reasoning between turns without reading or
 * forging it. Older keys stay accepted for opening, so keys can be rotated.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface ReasoningPayload {
  /** Reasoning text as the model produced it. */
  text: string;
  summary: string[];
  /** The upstream's own opaque reasoning token (signature, encrypted content), if it gave one. */
  upstream?: string;
  /** The provider whose token `upstream` is. */
  issuer?: string;
}

const PREFIX = 'rgw1';

interface Key {
  id: string;
  secret: Buffer;
}

function toKey(secret: string): Key {
  const key = createHash('sha256').update(secret).digest();
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), secret: key };
}

export class ReasoningSealer {
  private keys: Key[];

  /** @param secrets current key first, then older ones still accepted; may be given later. */
  constructor(secrets: readonly string[] = []) {
    this.keys = secrets.map(toKey);
  }

  get hasKey(): boolean {
    return this.keys.length > 0;
  }

  /** Sets the keys when none were configured (a generated key kept by the store). */
  useKeys(secrets: readonly string[]): void {
    this.keys = secrets.map(toKey);
  }

  seal(payload: ReasoningPayload): string {
    return this.sealJson(undefined, payload);
  }

  /** The payload, or undefined when the blob is not one of ours or was altered. */
  open(blob: string): ReasoningPayload | undefined {
    const payload = this.openJson(undefined, blob) as ReasoningPayload | undefined;
    return typeof payload?.text === 'string' && Array.isArray(payload.summary) ? payload : undefined;
  }

  /**
   * Seals any JSON value under the same keys. `purpose` is bound into the authenticated data, so a
   * blob sealed for one purpose (e.g. `compaction`) never opens as another; undefined = reasoning.
   */
  sealJson(purpose: string | undefined, value: unknown): string {
    const key = this.keys[0];
    if (!key) throw new Error('no reasoning seal key is set');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key.secret, iv);
    cipher.setAAD(additionalData(key, purpose));
    const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
    return `${PREFIX}.${key.id}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** The value sealed for `purpose`, or undefined when the blob is not one of ours or was altered. */
  openJson(purpose: string | undefined, blob: string): unknown {
    const [prefix, keyId, data] = blob.split('.');
    if (prefix !== PREFIX || keyId === undefined || data === undefined) return undefined;
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) return undefined;
    const raw = Buffer.from(data, 'base64url');
    if (raw.length < 12 + 16) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key.secret, raw.subarray(0, 12));
      decipher.setAAD(additionalData(key, purpose));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      const text = Buffer.concat([
        decipher.update(raw.subarray(12, raw.length - 16)),
        decipher.final(),
      ]).toString('utf8');
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }
}

function additionalData(key: Key, purpose: string | undefined): Buffer {
  return Buffer.from(purpose === undefined ? `${PREFIX}.${key.id}` : `${PREFIX}.${key.id}.${purpose}`);
}
