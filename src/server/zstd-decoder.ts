/**
 * A streaming zstd decoder for request bodies: node:zlib's when this Node has one (22.15+), else
 * fzstd (pure JavaScript). Either way a frame may ask for a window of at most 8 MB, the limit RFC
 * 9659 sets for the `zstd` content coding: fzstd would otherwise allocate whatever window a
 * 20-byte header asks for (up to 2 GB), so every frame header is read here before fzstd sees it.
 */
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';

/** RFC 9659: decoders of the `zstd` content coding need not support larger windows. */
export const MAX_ZSTD_WINDOW = 8 * 1024 * 1024;

/** Why a zstd body was refused before it was decoded. */
export class ZstdLimitError extends Error {
  constructor(
    message: string,
    readonly kind: 'too-large' | 'window',
  ) {
    super(message);
    this.name = 'ZstdLimitError';
  }
}

interface NativeZstd {
  createZstdDecompress(options: { params: Record<number, number> }): Transform;
  constants: Record<string, number>;
}

/** A decoder stream; `maxOutput` bounds what one frame may declare and what one chunk may yield. */
export function createZstdDecoder(maxOutput: number): Transform {
  const native = zlib as unknown as Partial<NativeZstd>;
  const windowLogMax = native.constants?.ZSTD_d_windowLogMax;
  if (typeof native.createZstdDecompress === 'function' && windowLogMax !== undefined) {
    const inner = native.createZstdDecompress({ params: { [windowLogMax]: Math.log2(MAX_ZSTD_WINDOW) } });
    return new NativeZstdDecoder(inner, maxOutput);
  }
  return new FzstdDecoder(maxOutput);
}

/**
 * The frame headers' checks, the same whichever decoder runs: a frame that declares more than the
 * limit, or a window over RFC 9659's 8 MB, is refused with that reason before it is decoded.
 */
function frameChecks(maxOutput: number): ZstdFrameScanner {
  return new ZstdFrameScanner((frame) => {
    if (frame.contentSize !== undefined && frame.contentSize > maxOutput) {
      throw new ZstdLimitError(`a zstd frame declares ${frame.contentSize} bytes`, 'too-large');
    }
    // A single-segment frame's window is its content, bounded just above.
    if (!frame.singleSegment && frame.windowSize > MAX_ZSTD_WINDOW) {
      throw new ZstdLimitError(
        `a zstd frame asks for a ${frame.windowSize}-byte window, more than the 8 MB RFC 9659 allows`,
        'window',
      );
    }
  });
}

/** node:zlib's decoder behind the same header checks (its own refusal would not say why). */
class NativeZstdDecoder extends Transform {
  private readonly frames: ZstdFrameScanner;

  constructor(
    private readonly inner: Transform,
    maxOutput: number,
  ) {
    super();
    this.frames = frameChecks(maxOutput);
    inner.on('data', (data: Buffer) => this.push(data));
    inner.on('error', (error) => this.destroy(error));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.frames.scan(chunk);
    } catch (error) {
      return callback(error as Error);
    }
    this.inner.write(chunk, () => callback());
  }

  override _flush(callback: TransformCallback): void {
    this.inner.once('end', () => callback());
    this.inner.end();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.inner.destroy();
    callback(error);
  }
}

class FzstdDecoder extends Transform {
  private readonly frames: ZstdFrameScanner;
  private readonly decompress: Decompress;
  private produced = 0;

  constructor(private readonly maxOutput: number) {
    super();
    this.frames = frameChecks(maxOutput);
    this.decompress = new Decompress((data) => {
      this.produced += data.length;
      // fzstd decodes every whole block of a chunk in one call: stop a bomb inside it.
      if (this.produced > this.maxOutput) {
        throw new ZstdLimitError('the zstd data decodes to more than the limit', 'too-large');
      }
      if (data.length > 0) this.push(Buffer.from(data.buffer, data.byteOffset, data.length));
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.frames.scan(chunk);
      this.decompress.push(chunk);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decompress.push(new Uint8Array(0), true);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }
}

export interface ZstdFrameHeader {
  windowSize: number;
  singleSegment: boolean;
  contentSize: number | undefined;
}

type ScanState = 'magic' | 'skip-size' | 'skip' | 'fhd' | 'header' | 'block-header' | 'block' | 'checksum';

/**
 * Follows the frame structure of a zstd stream (RFC 8878 §3.1) as its bytes pass, block by block,
 * and hands each frame header to `onFrame` before the frame's content follows. It checks only the
 * structure it needs to stay in step; the decoder judges the rest.
 */
export class ZstdFrameScanner {
  private state: ScanState = 'magic';
  /** Bytes of the current fixed-size field wanted, and collected so far. */
  private need = 4;
  private have = 0;
  private readonly field = Buffer.alloc(14);
  /** Bytes left to pass over in a skip, block or checksum state. */
  private remaining = 0;
  private lastBlock = false;
  private hasChecksum = false;

  constructor(private readonly onFrame: (frame: ZstdFrameHeader) => void) {}

  scan(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.state === 'skip' || this.state === 'block' || this.state === 'checksum') {
        const step = Math.min(this.remaining, chunk.length - at);
        at += step;
        this.remaining -= step;
        if (this.remaining === 0) this.afterContent();
        continue;
      }
      const step = Math.min(this.need - this.have, chunk.length - at);
      this.field.set(chunk.subarray(at, at + step), this.have);
      this.have += step;
      at += step;
      if (this.have === this.need) this.onField();
    }
  }

  private expect(state: ScanState, need: number): void {
    this.state = state;
    this.need = need;
    this.have = 0;
  }

  private pass(state: 'skip' | 'block' | 'checksum', bytes: number): void {
    this.state = state;
    this.remaining = bytes;
    if (bytes === 0) this.afterContent();
  }

  private onField(): void {
    const field = this.field;
    switch (this.state) {
      case 'magic': {
        const magic = field.readUInt32LE(0);
        if (magic === 0xfd2fb528) return this.expect('fhd', 1);
        if (magic >>> 4 === 0x184d2a5) return this.expect('skip-size', 4);
        throw new Error('not zstd data (unknown frame magic number)');
      }
      case 'skip-size':
        return this.pass('skip', field.readUInt32LE(0));
      case 'fhd': {
        const descriptor = field[0]!;
        if ((descriptor & 0x08) !== 0) throw new Error('invalid zstd frame header (reserved bit set)');
        const singleSegment = (descriptor & 0x20) !== 0;
        const rest = (singleSegment ? 0 : 1) + dictIdBytes(descriptor) + contentSizeBytes(descriptor);
        // The descriptor stays in field[0]; the rest of the header follows it.
        this.state = 'header';
        this.need = 1 + rest;
        return;
      }
      case 'header':
        this.onFrame(this.readHeader());
        return this.expect('block-header', 3);
      case 'block-header': {
        const header = field[0]! | (field[1]! << 8) | (field[2]! << 16);
        const type = (header >> 1) & 3;
        if (type === 3) throw new Error('invalid zstd block (reserved type)');
        this.lastBlock = (header & 1) === 1;
        // An RLE block holds one byte, repeated `size` times when decoded.
        return this.pass('block', type === 1 ? 1 : header >>> 3);
      }
      default:
        return;
    }
  }

  private readHeader(): ZstdFrameHeader {
    const field = this.field;
    const descriptor = field[0]!;
    const singleSegment = (descriptor & 0x20) !== 0;
    this.hasChecksum = (descriptor & 0x04) !== 0;
    let at = 1;
    let windowSize = 0;
    if (!singleSegment) {
      const window = field[at++]!;
      const base = 2 ** (10 + (window >> 3));
      windowSize = base + (base / 8) * (window & 7);
    }
    at += dictIdBytes(descriptor);
    const sizeBytes = contentSizeBytes(descriptor);
    let contentSize: number | undefined;
    if (sizeBytes > 0) {
      contentSize = 0;
      for (let i = sizeBytes - 1; i >= 0; i--) contentSize = contentSize * 256 + field[at + i]!;
      if (sizeBytes === 2) contentSize += 256;
    }
    if (singleSegment) windowSize = contentSize ?? 0;
    return { windowSize, singleSegment, contentSize };
  }

  private afterContent(): void {
    if (this.state === 'block' && !this.lastBlock) return this.expect('block-header', 3);
    if (this.state === 'block' && this.hasChecksum) return this.pass('checksum', 4);
    this.expect('magic', 4);
  }
}

function dictIdBytes(descriptor: number): number {
  return [0, 1, 2, 4][descriptor & 3]!;
}

function contentSizeBytes(descriptor: number): number {
  const flag = descriptor >> 6;
  return flag === 0 ? ((descriptor & 0x20) !== 0 ? 1 : 0) : [0, 2, 4, 8][flag]!;
}
