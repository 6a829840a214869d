/**
 * The content of uploaded files, on disk, content-addressed: `<dir>/sha256/<2 hex>/<64 hex>`. An
 * upload streams into `<dir>/tmp/` while it is hashed and counted (never held in memory whole),
 * then is renamed to its content's name, or dropped if that content is already stored. Files of
 * any tenant with the same bytes share one blob; it is removed with the last of them.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** An upload on disk, not yet under its content's name. */
export interface PendingBlob {
  tmpPath: string;
  sha256: string;
  bytes: number;
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
}

export class FileBlobs {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    mkdirSync(join(dir, 'sha256'), { recursive: true });
  }

  /** Streams `source` to a temporary file; rejects with FileTooLargeError past `maxBytes`. */
  async receive(source: Readable, maxBytes: number): Promise<PendingBlob> {
    const tmpPath = join(this.dir, 'tmp', randomBytes(16).toString('hex'));
    const hash = createHash('sha256');
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        if (bytes > maxBytes) return callback(new FileTooLargeError(`larger than ${maxBytes} bytes`));
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    try {
      await pipeline(source, meter, createWriteStream(tmpPath));
    } catch (error) {
      rmSync(tmpPath, { force: true });
      throw error;
    }
    return { tmpPath, sha256: hash.digest('hex'), bytes };
  }

  discard(pending: PendingBlob): void {
    rmSync(pending.tmpPath, { force: true });
  }

  /** Puts the upload under its content's name (synchronously: see `exclusive`). */
  commit(pending: PendingBlob): void {
    const target = this.path(pending.sha256);
    if (exists(target)) {
      this.discard(pending);
      return;
    }
    mkdirSync(join(target, '..'), { recursive: true });
    renameSync(pending.tmpPath, target);
  }

  remove(sha256: string): void {
    rmSync(this.path(sha256), { force: true });
  }

  read(sha256: string): Promise<Buffer> {
    return readFile(this.path(sha256));
  }

  stream(sha256: string): Readable {
    return createReadStream(this.path(sha256));
  }

  path(sha256: string): string {
    return join(this.dir, 'sha256', sha256.slice(0, 2), sha256);
  }

  /**
   * Runs `task` with no other task on the same content running: a delete deciding that a blob is
   * no longer used must not interleave with an upload of the same bytes deciding it already exists.
   */
  async exclusive<T>(sha256: string, task: () => Promise<T>): Promise<T> {
    const before = this.locks.get(sha256) ?? Promise.resolve();
    const run = before.then(task, task);
    const settled = run.catch(() => undefined);
    this.locks.set(sha256, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(sha256) === settled) this.locks.delete(sha256);
    }
  }

  /**
   * Temporary files a crash left behind: those older than `ageMs` (a younger one may be an upload
   * in progress in another process on the same directory).
   */
  clearTemporary(ageMs = 3_600_000): void {
    const tmp = join(this.dir, 'tmp');
    const cutoff = Date.now() - ageMs;
    for (const name of readdirSync(tmp)) {
      const path = join(tmp, name);
      try {
        if (statSync(path).mtimeMs < cutoff) rmSync(path, { force: true });
      } catch {}
    }
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
