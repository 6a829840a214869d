/**
 * The bubblewrap command line of one sandbox: every namespace unshared (no network namespace but
 * its own loopback, its own pid space, a user namespace that cannot make more), the system
 * directories read-only, a tmpfs root with nothing of the host's files, env or /etc but what
 * Python and its libraries need to load, and two size-bounded tmpfs mounts (/mnt/data, /tmp) as
 * the only writable places.
 */
import { lstatSync, readlinkSync } from 'node:fs';
import { KERNEL_SOURCE } from './kernel-source.js';
import type { SandboxSettings } from './sandbox-settings.js';

/** Where the container's files live inside the sandbox, as OpenAI's containers have them. */
export const DATA_DIR = '/mnt/data';
/** Uid and gid inside the sandbox (mapped to the gateway's own outside). */
const SANDBOX_ID = '1000';

/** /etc entries the dynamic loader, the BLAS alternatives, matplotlib and fontconfig read. */
const ETC_ENTRIES = [
  'alternatives',
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'localtime',
  'matplotlibrc',
  'fonts',
  'mime.types',
];

/** Top-level directories that are symlinks into /usr on merged-/usr systems, directories elsewhere. */
const ROOT_DIRS = ['bin', 'sbin', 'lib', 'lib64', 'lib32', 'libx32'];

export interface SandboxFiles {
  /** A minimal /etc/passwd and /etc/group, written once per gateway process. */
  passwd: string;
  group: string;
  /** Prebuilt matplotlib font cache, copied into the sandbox's own cache directory at start. */
  fontCache?: string | undefined;
}

export function bwrapArgs(settings: SandboxSettings, files: SandboxFiles, kernelConfig: object): string[] {
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--die-with-parent',
    '--new-session',
    '--clearenv',
    '--uid',
    SANDBOX_ID,
    '--gid',
    SANDBOX_ID,
    '--hostname',
    'sandbox',
    '--ro-bind',
    '/usr',
    '/usr',
  ];
  for (const name of ROOT_DIRS) args.push(...rootDir(name));
  for (const entry of ETC_ENTRIES) args.push('--ro-bind-try', `/etc/${entry}`, `/etc/${entry}`);
  args.push('--ro-bind', files.passwd, '/etc/passwd', '--ro-bind', files.group, '/etc/group');
  if (files.fontCache) args.push('--ro-bind', files.fontCache, '/opt/rgw/font-cache');
  args.push(
    '--proc',
    '/proc',
    '--dev',
    '/dev',
    '--size',
    String(settings.tmpBytes),
    '--tmpfs',
    '/tmp',
    '--size',
    String(settings.diskBytes),
    '--tmpfs',
    DATA_DIR,
    '--chdir',
    DATA_DIR,
  );
  const env: Record<string, string> = {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    HOME: '/tmp',
    USER: 'sandbox',
    TMPDIR: '/tmp',
    LANG: 'C.UTF-8',
    MPLBACKEND: 'module://rgw_mpl_backend',
    MPLCONFIGDIR: '/tmp/.matplotlib',
    // One BLAS/OpenMP thread: threads count against the process limit and each reserves address
    // space the memory limit counts; the machine's cores are shared with other containers anyway.
    OPENBLAS_NUM_THREADS: '1',
    OMP_NUM_THREADS: '1',
    MKL_NUM_THREADS: '1',
    MALLOC_ARENA_MAX: '2',
  };
  for (const [name, value] of Object.entries(env)) args.push('--setenv', name, value);
  args.push(settings.pythonPath, '-I', '-u', '-B', '-c', KERNEL_SOURCE, JSON.stringify(kernelConfig));
  return args;
}

/** The kernel's own settings (limits it applies to itself before any user code runs). */
export function kernelConfig(settings: SandboxSettings, fontCache: boolean): object {
  return {
    data_dir: DATA_DIR,
    max_log_bytes: settings.maxLogBytes,
    max_sync_bytes: settings.diskBytes,
    max_files: settings.maxFiles,
    font_cache: fontCache ? '/opt/rgw/font-cache' : null,
    rlimits: {
      RLIMIT_AS: settings.memoryBytes,
      RLIMIT_CPU: settings.cpuSeconds,
      RLIMIT_NPROC: settings.maxProcesses,
      RLIMIT_FSIZE: settings.maxFileBytes,
      RLIMIT_NOFILE: 1024,
      RLIMIT_CORE: 0,
    },
  };
}

function rootDir(name: string): string[] {
  const path = `/${name}`;
  try {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return ['--symlink', readlinkSync(path), path];
    if (stat.isDirectory()) return ['--ro-bind', path, path];
  } catch {
    // Absent on this system.
  }
  return [];
}
