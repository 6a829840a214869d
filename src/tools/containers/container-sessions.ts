/**
 * The running kernel of each container in this process: started on a container's first call (its
 * files put in), kept between calls so variables survive, ended by expiry, deletion, eviction or
 * shutdown. At most `maxLive` kernels run at once, `maxLivePerTenant` per tenant: a new one
 * evicts the least recently used idle kernel in its way (its files stay; its variables go), or is
 * refused with a 429 when every kernel in the way is busy.
 */
import { GatewayError } from '../../errors.js';
import { newId } from '../../ids.js';
import type { ContainerFileRecord, ContainerRecord, ContainerRepository } from '../../store/types.js';
import type { CallOutcome, CallRequest, KernelProcess } from '../code-interpreter/kernel-process.js';
import type { SandboxRuntime } from '../code-interpreter/sandbox-runtime.js';
import type { ContainerFileStore, FileWriter } from './container-file-store.js';

export interface SessionLimits {
  maxLive: number;
  maxLivePerTenant: number;
  /** Address space of each memory tier; `1g` is the configured default. */
  memoryBytes(limit: ContainerRecord['memory_limit']): number;
}

export interface RunResult {
  outcome: CallOutcome;
  /** Files the call created or changed, as stored now. */
  written: ContainerFileRecord[];
  deleted: ContainerFileRecord[];
  /** Changed files too large to copy out of the sandbox. */
  skipped: string[];
  /** A kernel of this container ended before (timeout kill, crash, eviction): its variables are gone. */
  restarted: boolean;
}

interface Session {
  tenantId: string;
  containerId: string;
  kernel: Promise<KernelProcess>;
  started: KernelProcess | undefined;
  busy: number;
  lastUsed: number;
}

interface Incoming {
  path: string;
  writer: FileWriter;
  complete: boolean;
}

export class ContainerSessions {
  private readonly sessions = new Map<string, Session>();
  /** Containers that had a kernel in this process (a new one means lost variables). */
  private readonly hadKernel = new Set<string>();

  constructor(
    private readonly runtime: SandboxRuntime,
    private readonly repository: ContainerRepository,
    private readonly files: ContainerFileStore,
    private readonly limits: SessionLimits,
  ) {}

  async run(
    tenantId: string,
    container: ContainerRecord,
    request: CallRequest,
    how: { timeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<RunResult> {
    const restarted = !this.sessions.has(container.id) && this.hadKernel.has(container.id);
    const session = this.session(tenantId, container);
    session.busy++;
    const incoming: Incoming[] = [];
    try {
      const kernel = await session.kernel;
      const outcome = await kernel.run(request, {
        timeoutMs: how.timeoutMs,
        signal: how.signal,
        receiver: {
          open: (path) => {
            const entry: Incoming = { path, writer: this.files.writer(container.id), complete: false };
            incoming.push(entry);
            return {
              write: (chunk) => entry.writer.write(chunk),
              end: () => {
                entry.complete = true;
              },
            };
          },
        },
      });
      if (outcome.type === 'ended') this.drop(session);
      const reply = outcome.type === 'reply' ? outcome.reply : undefined;
      const written = await this.keep(tenantId, container.id, incoming);
      const deleted = await this.forget(tenantId, container.id, reply?.deleted ?? []);
      return { outcome, written, deleted, skipped: reply?.skipped ?? [], restarted };
    } catch (error) {
      for (const entry of incoming) entry.writer.abort();
      throw error;
    } finally {
      session.busy--;
      session.lastUsed = Date.now();
    }
  }

  /** Puts a file into the container's running kernel, if it has one (else its next start does). */
  async pushFile(containerId: string, path: string, bytes: Buffer): Promise<void> {
    const kernel = this.sessions.get(containerId)?.started;
    if (kernel?.alive) await kernel.put(path, bytes).catch(() => undefined);
  }

  async removeFile(containerId: string, path: string): Promise<void> {
    const kernel = this.sessions.get(containerId)?.started;
    if (kernel?.alive) await kernel.remove(path).catch(() => undefined);
  }

  /** Ends the container's kernel (expiry, deletion). */
  stop(containerId: string): void {
    const session = this.sessions.get(containerId);
    if (!session) return;
    this.drop(session);
    void session.kernel.then((kernel) => kernel.kill('close')).catch(() => undefined);
  }

  get live(): number {
    return this.sessions.size;
  }

  private session(tenantId: string, container: ContainerRecord): Session {
    const existing = this.sessions.get(container.id);
    if (existing) {
      existing.lastUsed = Date.now();
      return existing;
    }
    this.admit(tenantId);
    const session: Session = {
      tenantId,
      containerId: container.id,
      kernel: Promise.resolve(undefined as unknown as KernelProcess),
      started: undefined,
      busy: 0,
      lastUsed: Date.now(),
    };
    session.kernel = this.start(tenantId, container, session);
    // A failed start is the caller's error; the next call tries again.
    session.kernel.catch(() => this.drop(session));
    this.sessions.set(container.id, session);
    this.hadKernel.add(container.id);
    return session;
  }

  private async start(
    tenantId: string,
    container: ContainerRecord,
    session: Session,
  ): Promise<KernelProcess> {
    const kernel = await this.runtime.startKernel(this.limits.memoryBytes(container.memory_limit));
    session.started = kernel;
    void kernel.ended.then(() => this.drop(session));
    for (const file of await this.repository.allFiles(tenantId, container.id)) {
      const bytes = await this.files.read(container.id, file.id).catch(() => undefined);
      if (bytes) await kernel.put(file.path, bytes);
    }
    return kernel;
  }

  private admit(tenantId: string): void {
    const all = [...this.sessions.values()];
    if (all.length >= this.limits.maxLive && !this.evict(all)) {
      throw tooMany(
        `All ${this.limits.maxLive} code containers of this gateway are busy; try again shortly.`,
      );
    }
    const own = [...this.sessions.values()].filter((s) => s.tenantId === tenantId);
    if (own.length >= this.limits.maxLivePerTenant && !this.evict(own)) {
      throw tooMany(
        `All ${this.limits.maxLivePerTenant} of your running code containers are busy; try again shortly.`,
      );
    }
  }

  private evict(candidates: Session[]): boolean {
    const idle = candidates.filter((s) => s.busy === 0).sort((a, b) => a.lastUsed - b.lastUsed)[0];
    if (!idle) return false;
    this.stop(idle.containerId);
    return true;
  }

  private drop(session: Session): void {
    if (this.sessions.get(session.containerId) === session) this.sessions.delete(session.containerId);
  }

  /** Stores what a call wrote: a path the container already has keeps its file id. */
  private async keep(
    tenantId: string,
    containerId: string,
    incoming: Incoming[],
  ): Promise<ContainerFileRecord[]> {
    const kept: ContainerFileRecord[] = [];
    for (const entry of incoming) {
      if (!entry.complete) {
        entry.writer.abort();
        continue;
      }
      const previous = await this.repository.fileAtPath(tenantId, containerId, entry.path);
      const record: ContainerFileRecord = {
        id: previous?.id ?? newId('cfile'),
        container_id: containerId,
        path: entry.path,
        bytes: 0,
        created_at: previous?.created_at ?? Math.floor(Date.now() / 1000),
        source: previous?.source ?? 'assistant',
      };
      entry.writer.commit(record.id);
      record.bytes = entry.writer.size;
      await this.repository.putFile(tenantId, record);
      kept.push(record);
    }
    return kept;
  }

  private async forget(
    tenantId: string,
    containerId: string,
    paths: string[],
  ): Promise<ContainerFileRecord[]> {
    const gone: ContainerFileRecord[] = [];
    for (const path of paths) {
      const record = await this.repository.fileAtPath(tenantId, containerId, path);
      if (!record) continue;
      await this.repository.deleteFile(tenantId, containerId, record.id);
      await this.files.remove(containerId, record.id);
      gone.push(record);
    }
    return gone;
  }
}

function tooMany(message: string): GatewayError {
  return new GatewayError(429, message, { type: 'rate_limit_error', code: 'container_limit' });
}
