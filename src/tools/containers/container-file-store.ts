/**
 * The bytes of container files on the gateway's disk: `<root>/<container id>/<file id>`. Names are
 * ids the gateway made, never a path a user chose, so nothing a sandbox writes can steer where the
 * host writes or what it reads (a symlink made inside a sandbox never leaves it: files come out as
 * bytes through the kernel's channel).
 */
import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  type ReadStream,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const ID = /^[a-z]+_[0-9a-f]{48}$/;
let incoming = 0;

export interface FileWriter {
  write(chunk: Buffer): void;
  /** Bytes written so far. */
  readonly size: number;
  /** Makes the file visible under this id (replacing the file there). */
  commit(fileId: string): void;
  abort(): void;
}

export class ContainerFileStore {
  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true });
  }

  async write(containerId: string, fileId: string, bytes: Buffer): Promise<void> {
    const target = this.path(containerId, fileId);
    await mkdir(join(this.root, containerId), { recursive: true });
    await writeFile(`${target}.tmp`, bytes);
    await rename(`${target}.tmp`, target);
  }

  /**
   * A file written chunk by chunk, as a kernel sends it (synchronously, in the stream's order),
   * named once it is complete.
   */
  writer(containerId: string): FileWriter {
    const directory = join(this.root, containerId);
    if (!ID.test(containerId)) throw new Error('not a container id');
    mkdirSync(directory, { recursive: true });
    const temporary = join(directory, `incoming-${process.pid}-${++incoming}.tmp`);
    const fd = openSync(temporary, 'w');
    let open = true;
    let size = 0;
    const close = () => {
      if (open) closeSync(fd);
      open = false;
    };
    return {
      get size() {
        return size;
      },
      write: (chunk) => {
        let offset = 0;
        while (offset < chunk.length) offset += writeSync(fd, chunk, offset);
        size += chunk.length;
      },
      commit: (fileId) => {
        close();
        renameSync(temporary, this.path(containerId, fileId));
      },
      abort: () => {
        close();
        rmSync(temporary, { force: true });
      },
    };
  }

  read(containerId: string, fileId: string): Promise<Buffer> {
    return readFile(this.path(containerId, fileId));
  }

  stream(containerId: string, fileId: string): ReadStream {
    return createReadStream(this.path(containerId, fileId));
  }

  async remove(containerId: string, fileId: string): Promise<void> {
    await rm(this.path(containerId, fileId), { force: true });
  }

  async removeContainer(containerId: string): Promise<void> {
    if (!ID.test(containerId)) return;
    await rm(join(this.root, containerId), { recursive: true, force: true });
  }

  private path(containerId: string, fileId: string): string {
    if (!ID.test(containerId) || !ID.test(fileId)) throw new Error('not a container file id');
    return join(this.root, containerId, fileId);
  }
}
