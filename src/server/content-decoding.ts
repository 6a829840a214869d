/**
 * Compressed request bodies (`Content-Encoding: gzip | deflate | br | zstd`, or several in a row):
 * decoded as they stream in, in a preParsing hook, so the JSON parser sees plain bytes. The body
 * limit applies to the decoded size, at every stage (a zip bomb is a 413 however small it is on the
 * wire); an unknown coding is a 415, data that does not decode is a 400.
 */
import type { IncomingMessage } from 'node:http';
import { type Readable, Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors.js';
import { createZstdDecoder, ZstdLimitError } from './zstd-decoder.js';

const DECODERS = {
  gzip: () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
  zstd: createZstdDecoder,
} satisfies Record<string, (limit: number) => Transform>;

type Coding = keyof typeof DECODERS;

/** Codings applied one over another; more than this is no client's doing. */
const MAX_CODINGS = 3;

/** As answered in `Accept-Encoding` of a 415 (RFC 7694). */
const ACCEPTED = 'gzip, deflate, br, zstd';

/** What fastify's body reader checks `Content-Length` against when a preParsing stream decodes. */
type DecodedBody = Readable & { receivedEncodedLength: number };

export function registerContentDecoding(app: FastifyInstance, bodyLimit: number): void {
  // Callback style: a plain body costs one header look-up and no promise.
  app.addHook('preParsing', (request, _reply, payload, done) => {
    const header = request.headers['content-encoding'];
    if (header === undefined || !hasBody(request.raw)) return done(null, payload);
    let codings: Coding[];
    try {
      codings = parseContentEncoding(header);
    } catch (error) {
      return done(error as Error);
    }
    if (codings.length === 0) return done(null, payload);
    done(null, decodeBody(request.raw, codings, bodyLimit));
  });
}

function hasBody(raw: IncomingMessage): boolean {
  const length = raw.headers['content-length'];
  return raw.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The codings in the order they were applied (the header lists them so); `identity` dropped. */
export function parseContentEncoding(header: string): Coding[] {
  const codings: Coding[] = [];
  for (const token of header.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || name === 'identity') continue;
    // RFC 9110 §8.4.1.3: x-gzip is gzip.
    const coding = name === 'x-gzip' ? 'gzip' : name;
    if (!Object.hasOwn(DECODERS, coding)) {
      throw new GatewayError(
        415,
        `Unsupported 'Content-Encoding' header: '${token.trim()}'. Send the body uncompressed or as ${ACCEPTED.replace(/, (?=[^,]*$)/, ' or ')}.`,
        { code: 'unsupported_content_encoding', headers: { 'accept-encoding': ACCEPTED } },
      );
    }
    codings.push(coding as Coding);
  }
  if (codings.length > MAX_CODINGS) {
    throw new GatewayError(
      415,
      `Unsupported 'Content-Encoding' header: at most ${MAX_CODINGS} codings are decoded, not ${codings.length}.`,
      { code: 'unsupported_content_encoding', headers: { 'accept-encoding': ACCEPTED } },
    );
  }
  return codings;
}

/**
 * The decoded body. The request itself is piped, not pipelined: a failed decode must leave the
 * socket alone, for the error answer still has to go out on it.
 */
function decodeBody(raw: IncomingMessage, codings: Coding[], limit: number): DecodedBody {
  const stages: Transform[] = [];
  // On failure the rest of the body is read and dropped, as fastify does past its limit, so that
  // the connection can carry the error answer and the next request.
  const abandon = () => {
    raw.unpipe(stages[0]);
    for (const stage of stages) if (stage !== output) stage.destroy();
    raw.resume();
  };
  const output = new SizeLimit(limit, abandon) as SizeLimit & DecodedBody;
  output.receivedEncodedLength = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      output.receivedEncodedLength += chunk.length;
      callback(null, chunk);
    },
  });
  // Undone last-applied first; every stage is bounded, since one stage can expand what the next
  // shrinks again (empty deflate blocks).
  stages.push(counter);
  const decoders = [...codings].reverse();
  decoders.forEach((coding, index) => {
    const decoder = DECODERS[coding](limit);
    decoder.on('error', (error: Error & { coding?: Coding }) => {
      error.coding ??= coding;
    });
    stages.push(decoder, index === decoders.length - 1 ? output : new SizeLimit(limit));
  });
  for (let i = 0; i < stages.length - 1; i++) {
    const from = stages[i]!;
    from.pipe(stages[i + 1]!);
    from.on('error', (error) => output.destroy(error));
  }
  raw.pipe(counter);
  raw.on('error', (error) => output.destroy(error));
  // The route's reader reports a failed body; when nothing reads it (fastify answered 415 for the
  // content type first), an unheard 'error' would bring the whole process down.
  output.on('error', () => {});
  // A client gone before the end of its body: the reader must not wait for it forever.
  raw.on('close', () => {
    if (!raw.complete) output.destroy(new Error('the client closed the connection during the request body'));
  });
  return output;
}

/** Passes bytes through up to `limit`, then fails with 413. */
class SizeLimit extends Transform {
  private seen = 0;

  constructor(
    private readonly limit: number,
    /** Given to the last stage: what to undo when the body fails. */
    private readonly onFailure?: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return callback(tooLarge(this.limit));
    callback(null, chunk);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (error !== null) this.onFailure?.();
    callback(error === null ? null : decodeFailure(error, this.limit));
  }
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError(413, `The request body is too large: it decodes to more than ${limit} bytes.`, {
    code: 'request_too_large',
  });
}

/** A decoder's failure as the client's error; anything else (the client went away) as it is. */
function decodeFailure(error: Error & { coding?: Coding }, limit: number): Error {
  if (error instanceof GatewayError) return error;
  if (error instanceof ZstdLimitError) {
    return error.kind === 'too-large'
      ? tooLarge(limit)
      : new GatewayError(400, `The request body cannot be decoded: ${error.message}.`, {
          code: 'invalid_content_encoding',
        });
  }
  if (error.coding === undefined) return error;
  return new GatewayError(
    400,
    `The request body is not valid ${error.coding} data (${error.message}), as its 'Content-Encoding' header says it is.`,
    { code: 'invalid_content_encoding' },
  );
}
