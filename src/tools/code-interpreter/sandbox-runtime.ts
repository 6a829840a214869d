/**
 * Starts sandboxed kernels for containers: the shared files every sandbox mounts (a minimal passwd,
 * matplotlib's font cache, built once), a small pool of warm kernels with the usual libraries
 * already imported (so a new container does not wait for Python and pandas to load), whether the
 * sandbox works on this machine at all, and the kill of every kernel at shutdown.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { bwrapArgs, kernelConfig, type SandboxFiles } from './bwrap-command.js';
import { KernelProcess } from './kernel-process.js';
import { type SandboxAvailability, sandboxUnavailable, whichBinary } from './sandbox-availability.js';
import type { SandboxSettings } from './sandbox-settings.js';

export interface RuntimeOptions {
  /** `off` disables code execution (RGW_CODE_SANDBOX=off). */
  mode: 'bwrap' | 'off';
  /** Kernels kept started and preloaded for the default memory limit. 0: none. */
  warmKernels: number;
  /** Modules a warm kernel imports while it waits. */
  preload: readonly string[];
}

export class SandboxRuntime {
  /** Files every sandbox mounts, made on the first kernel (a gateway that runs no code makes none). */
  private work: { dir: string; files: SandboxFiles } | undefined;
  private readonly kernels = new Set<KernelProcess>();
  private readonly pool: Array<Promise<KernelProcess | undefined>> = [];
  private availabilityCheck: Promise<SandboxAvailability> | undefined;
  private fontCacheBuild: Promise<void> | undefined;
  private closed = false;

  constructor(
    readonly settings: SandboxSettings,
    private readonly options: RuntimeOptions,
  ) {
    this.user = process.getuid?.() === 0 ? settings.rootRunsAs : undefined;
  }

  private get workFiles(): { dir: string; files: SandboxFiles } {
    if (this.work) return this.work;
    const dir = mkdtempSync(join(tmpdir(), 'rgw-sandbox-'));
    // Readable by the unprivileged user sandboxes run as (nothing in here is secret).
    chmodSync(dir, 0o755);
    const etc = join(dir, 'etc');
    mkdirSync(etc, { mode: 0o755 });
    const files = { passwd: join(etc, 'passwd'), group: join(etc, 'group') };
    writeFileSync(files.passwd, 'sandbox:x:1000:1000:sandbox:/tmp:/bin/sh\n', { mode: 0o644 });
    writeFileSync(files.group, 'sandbox:x:1000:\n', { mode: 0o644 });
    this.work = { dir, files };
    return this.work;
  }

  private readonly user: { uid: number; gid: number } | undefined;

  /** Whether kernels can start here (checked once, by starting one). */
  availability(): Promise<SandboxAvailability> {
    this.availabilityCheck ??= this.check();
    return this.availabilityCheck;
  }

  /**
   * A started kernel with this memory limit: a warm one from the pool when it fits, else a new
   * one. Its files are the caller's to put.
   */
  async startKernel(memoryBytes: number): Promise<KernelProcess> {
    if (this.closed) throw new Error('the gateway is shutting down');
    try {
      if (memoryBytes === this.settings.memoryBytes) {
        const warm = await this.pool.shift();
        if (warm?.alive) return warm;
      }
      return await this.spawn(memoryBytes);
    } finally {
      void this.warmUp();
    }
  }

  /** After the first kernel a caller waits for: the font cache, then the pool (one at a time, so
   * they do not compete with that kernel for the CPU). */
  private async warmUp(): Promise<void> {
    await this.buildFontCache();
    this.fillPool();
  }

  /** Kills every kernel (shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    const ends = [...this.kernels].map((kernel) => {
      kernel.kill('close');
      return kernel.ended;
    });
    await Promise.all(ends);
    await Promise.allSettled(this.pool);
    if (this.work) rmSync(this.work.dir, { recursive: true, force: true });
  }

  /** Kernels running now (pool included). */
  get liveKernels(): number {
    return this.kernels.size;
  }

  private async spawn(memoryBytes: number): Promise<KernelProcess> {
    const settings = { ...this.settings, memoryBytes };
    const fontCache = this.fontCacheReady ? this.fontCacheDir : undefined;
    const args = bwrapArgs(
      settings,
      { ...this.workFiles.files, fontCache },
      kernelConfig(settings, fontCache !== undefined),
    );
    const kernel = await KernelProcess.start(this.settings.bwrapPath, args, { user: this.user });
    if (this.closed) {
      kernel.kill('close');
      throw new Error('the gateway is shutting down');
    }
    this.kernels.add(kernel);
    void kernel.ended.then(() => this.kernels.delete(kernel));
    return kernel;
  }

  private fillPool(): void {
    while (!this.closed && this.pool.length < this.options.warmKernels) {
      this.pool.push(
        this.spawn(this.settings.memoryBytes).then(
          async (kernel) => {
            await kernel.preload(this.options.preload).catch(() => undefined);
            return kernel;
          },
          () => undefined,
        ),
      );
    }
  }

  private fontCacheReady = false;
  private get fontCacheDir(): string {
    return join(this.workFiles.dir, 'font-cache');
  }

  /**
   * matplotlib builds its font list on first import (a second or more); one kernel builds it here
   * and hands the file out through /mnt/data, and later sandboxes start with a copy.
   */
  private buildFontCache(): Promise<void> {
    this.fontCacheBuild ??= (async () => {
      mkdirSync(this.fontCacheDir, { recursive: true, mode: 0o755 });
      const kernel = await this.spawn(this.settings.memoryBytes);
      try {
        const code =
          'import glob, shutil, matplotlib.font_manager as fm\n' +
          'for p in glob.glob(fm.get_cachedir() + "/fontlist*.json"): shutil.copy(p, "/mnt/data/")';
        let wrote = false;
        await kernel.run(
          { op: 'exec', code },
          {
            timeoutMs: 60_000,
            receiver: {
              open: (path) => {
                const parts: Buffer[] = [];
                return {
                  write: (chunk) => parts.push(Buffer.from(chunk)),
                  end: () => {
                    writeFileSync(join(this.fontCacheDir, basename(path)), Buffer.concat(parts), {
                      mode: 0o644,
                    });
                    wrote = true;
                  },
                };
              },
            },
          },
        );
        this.fontCacheReady = wrote;
      } finally {
        kernel.kill('close');
      }
    })().catch(() => undefined);
    return this.fontCacheBuild;
  }

  /** Versions of the libraries users expect, from inside a sandbox (for `rgw doctor`). */
  async libraries(): Promise<Record<string, string | null>> {
    const names = ['numpy', 'pandas', 'matplotlib', 'scipy'];
    const code =
      'import importlib, json\nfound = {}\n' +
      `for name in ${JSON.stringify(names)}:\n` +
      '    try:\n        found[name] = importlib.import_module(name).__version__\n' +
      '    except Exception:\n        found[name] = None\nprint(json.dumps(found))';
    const kernel = await this.spawn(this.settings.memoryBytes);
    try {
      const outcome = await kernel.run(
        { op: 'exec', code },
        { timeoutMs: 60_000, receiver: { open: () => ({ write() {}, end() {} }) } },
      );
      if (outcome.type !== 'reply') return Object.fromEntries(names.map((name) => [name, null]));
      return JSON.parse(outcome.reply.logs) as Record<string, string | null>;
    } finally {
      kernel.kill('close');
    }
  }

  private async check(): Promise<SandboxAvailability> {
    if (this.options.mode === 'off') {
      return sandboxUnavailable('the code sandbox is turned off (RGW_CODE_SANDBOX=off)');
    }
    const bwrap = whichBinary(this.settings.bwrapPath);
    if (!bwrap) return sandboxUnavailable(`bubblewrap (${this.settings.bwrapPath}) is not installed`);
    const python = whichBinary(this.settings.pythonPath);
    if (!python) return sandboxUnavailable(`Python (${this.settings.pythonPath}) is not installed`);
    try {
      const kernel = await this.spawn(this.settings.memoryBytes);
      try {
        const outcome = await kernel.run(
          { op: 'exec', code: 'import sys; print(sys.version.split()[0])' },
          { timeoutMs: 20_000, receiver: { open: () => ({ write() {}, end() {} }) } },
        );
        if (outcome.type !== 'reply' || outcome.reply.error) {
          return sandboxUnavailable('Python did not run inside the sandbox');
        }
        void this.warmUp();
        return { ok: true, bwrap, python, pythonVersion: outcome.reply.logs.trim() };
      } finally {
        kernel.kill('close');
      }
    } catch (error) {
      return sandboxUnavailable(`the sandbox did not start: ${(error as Error).message}`);
    }
  }
}
