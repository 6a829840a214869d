/**
 * Code containers, tenant by tenant: the Containers API's operations, the lookups code_interpreter
 * and the hosted shell make, and idle expiry. Metadata goes through the store's repository, bytes
 * through the file store, running code through the sessions.
 */
import { GatewayError, invalidRequest, notFound } from '../../errors.js';
import { newId } from '../../ids.js';
import type { ContainerFileObject, ContainerObject, CreateContainerBody } from '../../protocol/containers.js';
import type { ContainerFileRecord, ContainerRecord, ContainerRepository, Page } from '../../store/types.js';
import { DATA_DIR } from '../code-interpreter/bwrap-command.js';
import type { CallRequest } from '../code-interpreter/kernel-process.js';
import type { ContainerFileStore } from './container-file-store.js';
import type { ContainerSessions, RunResult } from './container-sessions.js';

/**
 * Where `file_ids` are read from: the Files API when this gateway has one. Injected so containers
 * do not depend on how files are stored.
 */
export interface FileContentSource {
  get(
    tenantId: string,
    fileId: string,
  ): Promise<{ filename: string; mediaType: string; bytes: Buffer } | undefined>;
}

export interface ContainerPolicy {
  /** Idle minutes before a container expires, unless it says otherwise. */
  idleMinutes: number;
  /** Running (unexpired) containers one tenant may have. */
  maxPerTenant: number;
  /** Bytes of files one container may hold (its /mnt/data is this size). */
  maxBytes: number;
  /** How often idle containers are looked for, ms. */
  sweepMs: number;
}

export interface ContainerDeps {
  repository: ContainerRepository;
  files: ContainerFileStore;
  sessions: ContainerSessions;
  fileSource?: FileContentSource | undefined;
  policy: ContainerPolicy;
  /** Unix seconds (tests move it). */
  now?: () => number;
}

type AutoSettings = Pick<CreateContainerBody, 'file_ids' | 'memory_limit'>;

export class Containers {
  private readonly now: () => number;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ContainerDeps) {
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** Starts the idle sweep. */
  start(): void {
    this.sweeper ??= setInterval(() => void this.sweep().catch(() => undefined), this.deps.policy.sweepMs);
    this.sweeper.unref();
  }

  stop(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  async create(
    tenantId: string,
    body: CreateContainerBody,
    id = newId('cntr'),
    param = '',
  ): Promise<ContainerObject> {
    const at = (field: string) => (param ? `${param}.${field}` : field);
    if (body.network_policy && body.network_policy.type !== 'disabled') {
      throw invalidRequest(
        'Containers of this gateway have no network access; only network_policy {"type": "disabled"} is supported.',
        at('network_policy'),
        'unsupported_value',
      );
    }
    if ((await this.deps.repository.countRunning(tenantId)) >= this.deps.policy.maxPerTenant) {
      throw new GatewayError(
        429,
        `At most ${this.deps.policy.maxPerTenant} containers may be active at once.`,
        {
          type: 'rate_limit_error',
          code: 'container_limit',
        },
      );
    }
    const sources = await this.readFileIds(tenantId, body.file_ids ?? [], (i) => at(`file_ids[${i}]`));
    const now = this.now();
    const record: ContainerRecord = {
      id,
      name: body.name,
      created_at: now,
      last_active_at: now,
      status: 'running',
      memory_limit: body.memory_limit ?? '1g',
      expires_after_minutes: body.expires_after?.minutes ?? this.deps.policy.idleMinutes,
    };
    await this.deps.repository.create(tenantId, record);
    for (const source of sources)
      await this.store(tenantId, record, source.filename, source.bytes, at('file_ids'));
    return containerObject(record);
  }

  /** The container an `auto` tool entry asked for, made on its first call. */
  async createAuto(tenantId: string, id: string, settings: AutoSettings, name: string, param: string) {
    await this.create(tenantId, { name, ...settings }, id, param);
    return this.usable(tenantId, id, param);
  }

  async retrieve(tenantId: string, id: string): Promise<ContainerObject> {
    return containerObject(await this.find(tenantId, id));
  }

  async list(
    tenantId: string,
    query: { limit: number; order: 'asc' | 'desc'; after?: string | undefined; name?: string | undefined },
  ): Promise<Page<ContainerObject> & { object: 'list' }> {
    const page = await this.deps.repository.list(tenantId, query);
    const now = this.now();
    return {
      object: 'list',
      ...page,
      data: page.data.map((record) => containerObject(expiredView(record, now))),
    };
  }

  async delete(
    tenantId: string,
    id: string,
  ): Promise<{ id: string; object: 'container.deleted'; deleted: true }> {
    await this.find(tenantId, id);
    this.deps.sessions.stop(id);
    await this.deps.repository.delete(tenantId, id);
    await this.deps.files.removeContainer(id);
    return { id, object: 'container.deleted', deleted: true };
  }

  /** A container a tool may run code in: unknown (or another tenant's) is a 404, expired a 400. */
  async usable(tenantId: string, id: string, param: string | null): Promise<ContainerRecord> {
    const record = await this.deps.repository.get(tenantId, id);
    if (!record) throw notFound(`Container with id '${id}' not found.`, param, 'container_not_found');
    if (isExpired(record, this.now())) {
      await this.expire(tenantId, id);
      throw invalidRequest(`Container '${id}' has expired; create a new one.`, param, 'container_expired');
    }
    return record;
  }

  /** Runs a call in the container and marks it active. */
  async run(
    tenantId: string,
    container: ContainerRecord,
    request: CallRequest,
    how: { timeoutMs: number; signal?: AbortSignal | undefined },
  ): Promise<RunResult> {
    await this.deps.repository.touch(tenantId, container.id, this.now());
    try {
      return await this.deps.sessions.run(tenantId, container, request, how);
    } finally {
      await this.deps.repository.touch(tenantId, container.id, this.now());
    }
  }

  async addFile(
    tenantId: string,
    containerId: string,
    filename: string,
    bytes: Buffer,
  ): Promise<ContainerFileObject> {
    const container = await this.usable(tenantId, containerId, null);
    return fileObject(await this.store(tenantId, container, filename, bytes, 'file'));
  }

  async addFileFromId(tenantId: string, containerId: string, fileId: string): Promise<ContainerFileObject> {
    const container = await this.usable(tenantId, containerId, null);
    const [source] = await this.readFileIds(tenantId, [fileId], () => 'file_id');
    return fileObject(await this.store(tenantId, container, source!.filename, source!.bytes, 'file_id'));
  }

  async listFiles(
    tenantId: string,
    containerId: string,
    query: { limit: number; order: 'asc' | 'desc'; after?: string | undefined },
  ): Promise<Page<ContainerFileObject> & { object: 'list' }> {
    await this.usable(tenantId, containerId, null);
    const page = await this.deps.repository.listFiles(tenantId, containerId, query);
    return { object: 'list', ...page, data: page.data.map(fileObject) };
  }

  async getFile(tenantId: string, containerId: string, fileId: string): Promise<ContainerFileObject> {
    return fileObject(await this.findFile(tenantId, containerId, fileId));
  }

  async fileContent(tenantId: string, containerId: string, fileId: string) {
    const file = await this.findFile(tenantId, containerId, fileId);
    return { file, stream: this.deps.files.stream(containerId, file.id) };
  }

  /** A file's bytes (undefined when they are gone). */
  async fileBytes(tenantId: string, containerId: string, fileId: string): Promise<Buffer | undefined> {
    const file = await this.deps.repository.getFile(tenantId, containerId, fileId);
    return file ? this.deps.files.read(containerId, file.id).catch(() => undefined) : undefined;
  }

  async deleteFile(tenantId: string, containerId: string, fileId: string) {
    const file = await this.findFile(tenantId, containerId, fileId);
    await this.deps.repository.deleteFile(tenantId, containerId, file.id);
    await this.deps.files.remove(containerId, file.id);
    await this.deps.sessions.removeFile(containerId, file.path);
    return { id: file.id, object: 'container.file.deleted' as const, deleted: true as const };
  }

  /** Expires every container idle past its time: its kernel ends and its files go. */
  async sweep(): Promise<number> {
    const idle = await this.deps.repository.idleExpired(this.now());
    for (const { tenantId, id } of idle) await this.expire(tenantId, id);
    return idle.length;
  }

  private async expire(tenantId: string, id: string): Promise<void> {
    this.deps.sessions.stop(id);
    await this.deps.repository.expire(tenantId, id);
    await this.deps.files.removeContainer(id);
  }

  private async find(tenantId: string, id: string): Promise<ContainerRecord> {
    const record = await this.deps.repository.get(tenantId, id);
    if (!record) throw notFound(`Container with id '${id}' not found.`, null, 'container_not_found');
    const view = expiredView(record, this.now());
    if (view.status === 'expired' && record.status !== 'expired') await this.expire(tenantId, id);
    return view;
  }

  private async findFile(
    tenantId: string,
    containerId: string,
    fileId: string,
  ): Promise<ContainerFileRecord> {
    await this.usable(tenantId, containerId, null);
    const file = await this.deps.repository.getFile(tenantId, containerId, fileId);
    if (!file) throw notFound(`Container file with id '${fileId}' not found.`, null, 'file_not_found');
    return file;
  }

  /** A 404 naming the first of these Files API files that does not exist. */
  async checkFiles(
    tenantId: string,
    ids: readonly string[],
    paramOf: (index: number) => string,
  ): Promise<void> {
    await this.readFileIds(tenantId, ids, paramOf);
  }

  /** Files of the Files API, all found or a 404 naming the first missing one. */
  private async readFileIds(tenantId: string, ids: readonly string[], paramOf: (index: number) => string) {
    const found = [];
    for (const [index, id] of ids.entries()) {
      const file = await this.deps.fileSource?.get(tenantId, id);
      if (!file) throw notFound(`File with id '${id}' not found.`, paramOf(index), 'file_not_found');
      found.push(file);
    }
    return found;
  }

  /** Stores an uploaded file at /mnt/data/<its base name>, replacing one at the same path. */
  private async store(
    tenantId: string,
    container: ContainerRecord,
    filename: string,
    bytes: Buffer,
    param: string,
  ): Promise<ContainerFileRecord> {
    const path = `${DATA_DIR}/${safeName(filename)}`;
    const existing = await this.deps.repository.allFiles(tenantId, container.id);
    const used = existing.reduce((sum, file) => sum + (file.path === path ? 0 : file.bytes), 0);
    if (used + bytes.length > this.deps.policy.maxBytes) {
      throw invalidRequest(
        `The container's files would exceed its ${this.deps.policy.maxBytes} bytes of storage.`,
        param,
        'container_storage_full',
      );
    }
    const record: ContainerFileRecord = {
      id: newId('cfile'),
      container_id: container.id,
      path,
      bytes: bytes.length,
      created_at: this.now(),
      source: 'user',
    };
    await this.deps.files.write(container.id, record.id, bytes);
    const replaced = await this.deps.repository.putFile(tenantId, record);
    if (replaced) await this.deps.files.remove(container.id, replaced.id);
    await this.deps.sessions.pushFile(container.id, path, bytes);
    await this.deps.repository.touch(tenantId, container.id, this.now());
    return record;
  }
}

function isExpired(record: ContainerRecord, now: number): boolean {
  return record.status === 'expired' || record.last_active_at + record.expires_after_minutes * 60 <= now;
}

function expiredView(record: ContainerRecord, now: number): ContainerRecord {
  return isExpired(record, now) ? { ...record, status: 'expired' } : record;
}

/**
 * A file's name inside /mnt/data: its last path segment, without control characters; never `.`,
 * `..` or empty. Uploaded names cannot point anywhere else.
 */
export function safeName(filename: string): string {
  const last = filename.split(/[/\\]/).pop() ?? '';
  const base = [...last]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .join('')
    .trim();
  return base === '' || base === '.' || base === '..' ? 'file' : base.slice(0, 255);
}

export function containerObject(record: ContainerRecord): ContainerObject {
  return {
    id: record.id,
    object: 'container',
    name: record.name,
    created_at: record.created_at,
    last_active_at: record.last_active_at,
    status: record.status,
    memory_limit: record.memory_limit,
    expires_after: { anchor: 'last_active_at', minutes: record.expires_after_minutes },
    network_policy: { type: 'disabled' },
  };
}

export function fileObject(record: ContainerFileRecord): ContainerFileObject {
  return {
    id: record.id,
    object: 'container.file',
    container_id: record.container_id,
    created_at: record.created_at,
    bytes: record.bytes,
    path: record.path,
    source: record.source,
  };
}
