/**
 * A push queue read as an async iterable: generation pushes parts from node-llama-cpp's callbacks,
 * the engine pulls them. Ending the iteration early (the engine stops reading) calls `onStop`.
 */
import type { StreamPart } from '../types.js';

export class PartQueue implements AsyncIterable<StreamPart> {
  private readonly buffer: StreamPart[] = [];
  private ended = false;
  private failure: { error: unknown } | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly onStop: () => void) {}

  push(part: StreamPart): void {
    if (this.ended) return;
    this.buffer.push(part);
    this.notify();
  }

  end(): void {
    this.ended = true;
    this.notify();
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.end();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<StreamPart> {
    let finished = false;
    try {
      while (true) {
        while (this.buffer.length > 0) yield this.buffer.shift()!;
        if (this.ended) {
          finished = true;
          if (this.failure) throw this.failure.error;
          return;
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      if (!finished) this.onStop();
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
