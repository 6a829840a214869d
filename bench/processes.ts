/** Starting, probing and stopping the processes of a run, each optionally pinned to one CPU. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import type { ProbeReply } from './servers/probe.js';

/** CPU for the system under test, and for everything else (mock, load generator, this process). */
export const SUT_CPU = '1';
export const DRIVER_CPU = '0';
const canPin = process.platform === 'linux' && spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export interface StartOptions {
  name: string;
  /** Arguments to `node`. */
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
  cpu: string | undefined;
  /** Any HTTP answer on this URL means the server is up. */
  readyUrl: string;
  timeoutMs?: number;
}

export interface ProbeSample {
  cpuUs: number;
  rssBytes: number;
  heapUsedBytes: number;
}

export class ServerProcess {
  private nextProbe = 1;
  private readonly waiting = new Map<number, (reply: ProbeReply) => void>();
  private exited = false;
  private stderr = '';

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: ProbeReply) => {
      if (message?.type !== 'probe') return;
      this.waiting.get(message.id)?.(message);
      this.waiting.delete(message.id);
    });
    child.stderr?.on('data', (data: Buffer) => {
      this.stderr = (this.stderr + data.toString()).slice(-4000);
    });
    child.on('exit', () => {
      this.exited = true;
    });
  }

  static async start(options: StartOptions): Promise<ServerProcess> {
    const child = spawnNode(options.args, options.cpu, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const server = new ServerProcess(options.name, child);
    const deadline = performance.now() + (options.timeoutMs ?? 20_000);
    while (performance.now() < deadline) {
      if (server.exited) throw new Error(`${options.name} exited during start-up: ${server.stderr.trim()}`);
      try {
        const response = await request(options.readyUrl, { headersTimeout: 1000, bodyTimeout: 1000 });
        await response.body.dump();
        return server;
      } catch {
        await sleep(50);
      }
    }
    await server.stop();
    throw new Error(`${options.name} did not answer on ${options.readyUrl}: ${server.stderr.trim()}`);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get recentStderr(): string {
    return this.stderr;
  }

  /** The process's own CPU time and memory, from the preloaded probe. */
  probe(): Promise<ProbeSample> {
    return new Promise((resolve, reject) => {
      const id = this.nextProbe++;
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name} did not answer a probe`));
      }, 5000);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve({
          cpuUs: reply.userUs + reply.systemUs,
          rssBytes: reply.rssBytes,
          heapUsedBytes: reply.heapUsedBytes,
        });
      });
      this.child.send({ type: 'probe', id });
    });
  }

  async stop(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const forced = setTimeout(() => this.child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(forced);
  }
}

/** `node ...args`, under `taskset -c cpu` where pinning is possible. */
export function spawnNode(
  args: string[],
  cpu: string | undefined,
  options: Parameters<typeof spawn>[2],
): ChildProcess {
  if (cpu !== undefined && canPin) return spawn('taskset', ['-c', cpu, process.execPath, ...args], options);
  return spawn(process.execPath, args, options);
}

export function pinningAvailable(): boolean {
  return canPin;
}

/** Pins this process (the orchestrator) beside the load generator. */
export function pinSelf(cpu: string): void {
  if (canPin) spawnSync('taskset', ['-a', '-p', '-c', cpu, String(process.pid)]);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
