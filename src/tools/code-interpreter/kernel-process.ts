/**
 * One running kernel: a bubblewrap sandbox with the Python kernel inside, spoken to over its stdin
 * and stdout (see kernel-source.ts). Requests run one at a time; a call that outlives its time or
 * is aborted is interrupted (KeyboardInterrupt, which keeps the kernel's state), and killed with
 * its whole sandbox when it does not stop within a grace period.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';

export interface KernelError {
  name: string;
  message: string;
}

export interface ShellCommandResult {
  stdout: string;
  stderr: string;
  outcome: { type: 'exit'; exit_code: number } | { type: 'timeout' };
}

/** What the kernel answers to `exec` and `shell`. */
export interface CallReply {
  error: KernelError | null;
  interrupted: boolean;
  logs: string;
  logs_truncated: boolean;
  /** Files under /mnt/data the call created or changed (their bytes went to the receiver). */
  files: Array<{ path: string; size: number }>;
  deleted: string[];
  /** Changed files too large to copy out. */
  skipped: string[];
  results?: ShellCommandResult[];
}

export type CallRequest =
  | { op: 'exec'; code: string }
  | { op: 'shell'; commands: string[]; timeout_ms: number | null };

/** Why a kernel ended, as far as the host knows. */
export interface KernelEnd {
  code: number | null;
  signal: string | null;
  /** Set when the host killed it. */
  killedFor: 'timeout' | 'abort' | 'close' | 'start' | null;
  /** bubblewrap's own error output (set-up failures), cut short. */
  stderr: string;
}

export type CallOutcome =
  | { type: 'reply'; reply: CallReply; stoppedFor: 'timeout' | 'abort' | null }
  | { type: 'ended'; end: KernelEnd };

/** Receives the bytes of each file a reply lists, in order, exactly `size` bytes each. */
export interface FileReceiver {
  open(path: string, size: number): { write(chunk: Buffer): void; end(): void };
}

export interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  receiver: FileReceiver;
}

type Pending = {
  resolve(message: Record<string, unknown>): void;
  receiver: FileReceiver | undefined;
};

/** Time an interrupted call gets to return before its sandbox is killed. */
const INTERRUPT_GRACE_MS = 1000;
const MAX_STDERR = 8192;

export class KernelProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private lane: Promise<unknown> = Promise.resolve();
  private buffer: Buffer = Buffer.alloc(0);
  /** The file being received: what is left of it, and where it goes. */
  private blob: { left: number; sink: { write(chunk: Buffer): void; end(): void } } | undefined;
  private blobQueue: Array<{ path: string; size: number }> = [];
  private blobReply: { id: number; message: Record<string, unknown> } | undefined;
  private stderr = '';
  private killedFor: KernelEnd['killedFor'] = null;
  private ready: { resolve(): void; reject(error: Error): void } | undefined;
  readonly ended: Promise<KernelEnd>;
  private endInfo: KernelEnd | undefined;

  private constructor(command: string, args: string[], user: { uid: number; gid: number } | undefined) {
    this.child = spawn(command, args, {
      ...user,
      stdio: ['pipe', 'pipe', 'pipe'],
      // Its own process group, so a kill reaches bubblewrap and nothing of the gateway.
      detached: true,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    });
    this.child.stdin.on('error', () => {
      // The kernel went away mid-write: its exit is reported by `ended`.
    });
    this.child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    this.child.stderr.on('data', (chunk: Buffer) => {
      if (this.stderr.length < MAX_STDERR) this.stderr += chunk.toString('utf8').slice(0, MAX_STDERR);
    });
    this.ended = new Promise((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (this.endInfo) return;
        this.endInfo = { code, signal, killedFor: this.killedFor, stderr: this.stderr.trim() };
        // A file cut off mid-way is not ended: its receiver drops what it got.
        this.blob = undefined;
        this.ready?.reject(new Error(describeEnd(this.endInfo)));
        for (const pending of this.pending.values()) pending.resolve({ __ended: true });
        this.pending.clear();
        resolve(this.endInfo);
      };
      this.child.on('error', (error) => {
        this.stderr += error.message;
        finish(null, null);
      });
      this.child.on('close', finish);
    });
  }

  /** Starts a sandbox and waits until its kernel reports ready. */
  static async start(
    command: string,
    args: string[],
    options: { user?: { uid: number; gid: number } | undefined; startTimeoutMs?: number } = {},
  ): Promise<KernelProcess> {
    const kernel = new KernelProcess(command, args, options.user);
    const timer = setTimeout(() => kernel.kill('start'), options.startTimeoutMs ?? 20_000);
    try {
      await new Promise<void>((resolve, reject) => {
        kernel.ready = { resolve, reject };
      });
    } finally {
      clearTimeout(timer);
      kernel.ready = undefined;
    }
    return kernel;
  }

  get alive(): boolean {
    return this.endInfo === undefined;
  }

  /** The sandbox's bubblewrap process (its pid namespace dies with it). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Runs code or shell commands; never rejects for the call's own failures. */
  run(request: CallRequest, options: CallOptions): Promise<CallOutcome> {
    return this.inLane(async () => {
      if (!this.alive) return { type: 'ended', end: this.endInfo! };
      let stoppedFor: 'timeout' | 'abort' | null = null;
      let grace: NodeJS.Timeout | undefined;
      const stop = (reason: 'timeout' | 'abort') => {
        if (stoppedFor) return;
        stoppedFor = reason;
        this.write({ op: 'interrupt' });
        grace = setTimeout(() => this.kill(reason), INTERRUPT_GRACE_MS);
      };
      const timer = setTimeout(() => stop('timeout'), options.timeoutMs);
      const onAbort = () => stop('abort');
      options.signal?.addEventListener('abort', onAbort);
      try {
        const replied = this.request(request, undefined, options.receiver);
        // After the request: an interrupt the kernel reads before it is stops nothing.
        if (options.signal?.aborted) onAbort();
        const message = await replied;
        if ('__ended' in message) return { type: 'ended', end: await this.ended };
        return { type: 'reply', reply: message as unknown as CallReply, stoppedFor };
      } finally {
        clearTimeout(timer);
        clearTimeout(grace);
        options.signal?.removeEventListener('abort', onAbort);
      }
    });
  }

  /** Writes a file inside the sandbox (the kernel then knows it and does not report it back). */
  put(path: string, bytes: Buffer): Promise<void> {
    return this.simple({ op: 'put', path, size: bytes.length }, bytes);
  }

  remove(path: string): Promise<void> {
    return this.simple({ op: 'remove', path });
  }

  /** Imports modules ahead of use (a warm kernel waiting in the pool). */
  preload(modules: readonly string[]): Promise<void> {
    return this.simple({ op: 'preload', modules });
  }

  /** Kills the sandbox (bubblewrap's group; the kernel and its children die with their pid namespace). */
  kill(reason: NonNullable<KernelEnd['killedFor']>): void {
    if (!this.alive) return;
    this.killedFor ??= reason;
    try {
      if (this.child.pid !== undefined) process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      this.child.kill('SIGKILL');
    }
  }

  private simple(message: Record<string, unknown>, payload?: Buffer): Promise<void> {
    return this.inLane(async () => {
      if (!this.alive) throw new Error(describeEnd(this.endInfo!));
      const reply = await this.request(message, payload, undefined);
      if ('__ended' in reply) throw new Error(describeEnd(await this.ended));
      if (reply.ok !== true) throw new Error(String(reply.message ?? 'kernel request failed'));
    });
  }

  private inLane<T>(task: () => Promise<T>): Promise<T> {
    const run = this.lane.then(task, task);
    this.lane = run.catch(() => undefined);
    return run;
  }

  private request(
    message: Record<string, unknown>,
    payload: Buffer | undefined,
    receiver: FileReceiver | undefined,
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, { resolve, receiver });
      this.write({ ...message, id }, payload);
    });
  }

  private write(message: Record<string, unknown>, payload?: Buffer): void {
    if (!this.alive || this.child.stdin.destroyed) return;
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    if (payload && payload.length > 0) this.child.stdin.write(payload);
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length > 0) {
      if (this.blob || this.blobQueue.length > 0) {
        if (!this.takeBlobBytes()) return;
        continue;
      }
      const newline = this.buffer.indexOf(10);
      if (newline < 0) return;
      const line = this.buffer.subarray(0, newline).toString('utf8');
      this.buffer = this.buffer.subarray(newline + 1);
      this.onMessage(line);
    }
  }

  /** Moves buffered bytes into the current file; false when more bytes are needed. */
  private takeBlobBytes(): boolean {
    if (!this.blob) {
      const next = this.blobQueue.shift()!;
      const receiver = this.pending.get(this.blobReply!.id)?.receiver;
      const sink = receiver?.open(next.path, next.size) ?? { write() {}, end() {} };
      this.blob = { left: next.size, sink };
    }
    const take = Math.min(this.blob.left, this.buffer.length);
    if (take > 0) {
      this.blob.sink.write(this.buffer.subarray(0, take));
      this.blob.left -= take;
      this.buffer = this.buffer.subarray(take);
    }
    if (this.blob.left > 0) return false;
    this.blob.sink.end();
    this.blob = undefined;
    if (this.blobQueue.length === 0) this.settle(this.blobReply!.id, this.blobReply!.message);
    return true;
  }

  private onMessage(line: string): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // Not the kernel speaking (it writes nothing else here): the channel cannot be trusted.
      this.kill('close');
      return;
    }
    if (message.ready === true) {
      this.ready?.resolve();
      return;
    }
    const id = Number(message.id);
    const files = Array.isArray(message.files)
      ? (message.files as Array<{ path: string; size: number }>)
      : [];
    const withBytes = files.filter((file) => file.size > 0);
    if (withBytes.length > 0 || files.length > 0) {
      // Empty files need no bytes but still open (and end) a sink, so the receiver sees them.
      const receiver = this.pending.get(id)?.receiver;
      for (const file of files) {
        if (file.size === 0) receiver?.open(file.path, 0).end();
      }
      if (withBytes.length > 0) {
        this.blobQueue = withBytes;
        this.blobReply = { id, message };
        return;
      }
    }
    this.settle(id, message);
  }

  private settle(id: number, message: Record<string, unknown>): void {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    this.blobReply = undefined;
    pending?.resolve(message);
  }
}

/** A kernel's end in words, for logs and the model. */
export function describeEnd(end: KernelEnd): string {
  if (end.killedFor === 'start') return `the sandbox did not start in time${detail(end)}`;
  if (end.signal === 'SIGXCPU') return 'the kernel ran out of CPU time and was stopped';
  if (end.signal) return `the kernel was stopped by ${end.signal}${detail(end)}`;
  return `the kernel exited with code ${end.code ?? 'unknown'}${detail(end)}`;
}

function detail(end: KernelEnd): string {
  return end.stderr ? `: ${end.stderr.split('\n').slice(-3).join(' ')}` : '';
}
