/** What one sandbox is allowed: the limits every kernel of a container starts with. */

export interface SandboxSettings {
  /** bubblewrap binary (a name is looked up on PATH). */
  bwrapPath: string;
  /** Interpreter inside the sandbox; Debian's has numpy, pandas and matplotlib. */
  pythonPath: string;
  /** Address space of each process (RLIMIT_AS): the container's `memory_limit`. */
  memoryBytes: number;
  /** CPU seconds over the kernel's whole life (RLIMIT_CPU); a call's wall clock is limited apart. */
  cpuSeconds: number;
  /** Processes and threads inside the sandbox (RLIMIT_NPROC, counted in its own user namespace). */
  maxProcesses: number;
  /** Largest file a process may write (RLIMIT_FSIZE). */
  maxFileBytes: number;
  /** Size of the container's /mnt/data (a tmpfs: the bound holds however the code writes). */
  diskBytes: number;
  /** Size of its /tmp. */
  tmpBytes: number;
  /** Logs kept per call (the rest is cut). */
  maxLogBytes: number;
  /** Files under /mnt/data tracked per container. */
  maxFiles: number;
  /**
   * The host user sandboxes run as when the gateway runs as root. Never root itself: the kernel
   * exempts root's processes from the process limit (a fork bomb would go unchecked), and an
   * escape would land as root.
   */
  rootRunsAs: { uid: number; gid: number };
}

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;

export const DEFAULT_SANDBOX: SandboxSettings = {
  bwrapPath: 'bwrap',
  pythonPath: '/usr/bin/python3',
  memoryBytes: GIB,
  cpuSeconds: 3600,
  maxProcesses: 64,
  maxFileBytes: 512 * MIB,
  diskBytes: GIB,
  tmpBytes: 256 * MIB,
  maxLogBytes: MIB,
  maxFiles: 1000,
  rootRunsAs: { uid: 65534, gid: 65534 },
};

/** OpenAI's `memory_limit` values. */
export const MEMORY_LIMITS = { '1g': GIB, '4g': 4 * GIB, '16g': 16 * GIB, '64g': 64 * GIB } as const;
export type MemoryLimit = keyof typeof MEMORY_LIMITS;
