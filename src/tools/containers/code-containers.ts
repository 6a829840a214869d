/**
 * Everything code execution needs, built from the config: the sandbox runtime, the containers
 * (store, file bytes on disk, live kernels) and the tools that run code in them. `close()` kills
 * every kernel; the gateway calls it at shutdown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CodeSandboxConfig } from '../../config/config-schema.js';
import type { ContainerRepository, ResponseRepository } from '../../store/types.js';
import { codeInterpreterTool } from '../code-interpreter/code-interpreter-tool.js';
import { SandboxRuntime } from '../code-interpreter/sandbox-runtime.js';
import { DEFAULT_SANDBOX, MEMORY_LIMITS } from '../code-interpreter/sandbox-settings.js';
import { shellTool } from '../shell/shell-tool.js';
import type { BuiltInTool } from '../types.js';
import type { PreviousContainer } from './container-binding.js';
import { ContainerFileStore } from './container-file-store.js';
import { ContainerSessions } from './container-sessions.js';
import { Containers, type FileContentSource } from './containers.js';

export interface CodeContainers {
  runtime: SandboxRuntime;
  containers: Containers;
  /**
   * code_interpreter and the hosted shell, registered by the gateway (a `shell` entry without a
   * container environment stays the client's: engine/hosted-tools.ts `servedBy`).
   */
  tools: BuiltInTool[];
  close(): Promise<void>;
}

export function createCodeContainers(
  config: CodeSandboxConfig,
  deps: {
    repository: ContainerRepository;
    responses: ResponseRepository;
    /** The store's location: container files go beside a SQLite file. */
    db: string;
    fileSource?: FileContentSource | undefined;
  },
): CodeContainers {
  const runtime = sandboxRuntime(config);
  const { root, temporary } = filesRoot(config.dir, deps.db);
  const files = new ContainerFileStore(root);
  const sessions = new ContainerSessions(runtime, deps.repository, files, {
    maxLive: config.maxLive,
    maxLivePerTenant: config.maxLivePerTenant,
    memoryBytes: (limit) => (limit === '1g' ? config.memoryBytes : MEMORY_LIMITS[limit]),
  });
  const containers = new Containers({
    repository: deps.repository,
    files,
    sessions,
    fileSource: deps.fileSource,
    policy: {
      idleMinutes: config.idleMinutes,
      maxPerTenant: config.maxContainersPerTenant,
      maxBytes: config.diskBytes,
      sweepMs: 30_000,
    },
  });
  containers.start();
  const previousContainer = previousContainerOf(deps.responses);
  const how = { runtime, containers, previousContainer, callTimeoutMs: config.callTimeoutMs };
  return {
    runtime,
    containers,
    tools: [codeInterpreterTool(how), shellTool(how)],
    async close() {
      containers.stop();
      await runtime.close();
      if (temporary) rmSync(root, { recursive: true, force: true });
    },
  };
}

/** The sandbox runtime a `codeSandbox` config describes. */
export function sandboxRuntime(config: CodeSandboxConfig, warmKernels = config.warmKernels): SandboxRuntime {
  return new SandboxRuntime(
    {
      ...DEFAULT_SANDBOX,
      bwrapPath: config.bwrap,
      pythonPath: config.python,
      memoryBytes: config.memoryBytes,
      cpuSeconds: config.cpuSeconds,
      maxProcesses: config.maxProcesses,
      maxFileBytes: config.maxFileBytes,
      diskBytes: config.diskBytes,
      tmpBytes: config.tmpBytes,
    },
    { mode: config.mode, warmKernels, preload: config.preload },
  );
}

function filesRoot(dir: string | undefined, db: string): { root: string; temporary: boolean } {
  if (dir) return { root: resolve(dir), temporary: false };
  if (db === ':memory:') return { root: mkdtempSync(join(tmpdir(), 'rgw-containers-')), temporary: true };
  return { root: join(dirname(resolve(db)), 'containers'), temporary: false };
}

/** The container of the latest code_interpreter or shell call in the chain ending at `responseId`. */
export function previousContainerOf(responses: ResponseRepository): PreviousContainer {
  return async (tenantId, responseId) => {
    const items = (await responses.loadChain(tenantId, responseId)) ?? [];
    for (let i = items.length - 1; i >= 0; i--) {
      const item = items[i]!;
      if (item.type === 'code_interpreter_call' && typeof item.container_id === 'string')
        return item.container_id;
      const environment = item.environment as { type?: unknown; container_id?: unknown } | null | undefined;
      if (item.type === 'shell_call' && typeof environment?.container_id === 'string')
        return environment.container_id;
    }
    return undefined;
  };
}
