/**
 * Repository interfaces the engine talks to. Every call is scoped by tenant: an id that belongs to
 * another tenant reads as absent. Asynchronous so that a PostgreSQL backend can satisfy them as is.
 */
import type { ResponseObject } from '../protocol/response.js';

/** An input or output item in its public shape, always with an id. */
export type StoredItem = { id: string; type: string } & Record<string, unknown>;

export interface PageQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string | undefined;
  before?: string | undefined;
}

export interface Page<T> {
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface ResponseRecord {
  /** The final (or current) Response; its output is stored as items. */
  response: ResponseObject;
  inputItems: StoredItem[];
}

export interface ConversationRecord {
  id: string;
  created_at: number;
  metadata: Record<string, string>;
}

export interface ResponseRepository {
  /** Saves (or replaces) a response with its input and output items, in one transaction. */
  save(tenantId: string, record: ResponseRecord, appendToConversation?: string): Promise<void>;
  /**
   * Replaces a stored response's state and output items, keeping its input items (a background
   * response moving on from `queued`); appends to the conversation like save.
   */
  update(tenantId: string, response: ResponseObject, appendToConversation?: string): Promise<void>;
  get(tenantId: string, id: string): Promise<ResponseObject | undefined>;
  /** Removes the response and its items; later turns that continue from it skip its items. */
  delete(tenantId: string, id: string): Promise<boolean>;
  listInputItems(tenantId: string, id: string, page: PageQuery): Promise<Page<StoredItem> | undefined>;
  /**
   * The context a continuation of `id` sees: every earlier response's input then output items,
   * oldest first, ending with `id`'s own. Undefined when `id` is unknown or deleted.
   */
  loadChain(tenantId: string, id: string): Promise<StoredItem[] | undefined>;
  /** An item stored as input or output of any of the tenant's responses or conversations. */
  findItem(tenantId: string, itemId: string): Promise<StoredItem | undefined>;
}

export interface ConversationRepository {
  create(tenantId: string, conversation: ConversationRecord, items: StoredItem[]): Promise<void>;
  get(tenantId: string, id: string): Promise<ConversationRecord | undefined>;
  updateMetadata(
    tenantId: string,
    id: string,
    metadata: Record<string, string>,
  ): Promise<ConversationRecord | undefined>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Appends in order, atomically; false when the conversation does not exist. */
  appendItems(tenantId: string, id: string, items: StoredItem[]): Promise<boolean>;
  listItems(tenantId: string, id: string, page: PageQuery): Promise<Page<StoredItem> | undefined>;
  /** Every item, oldest first. */
  allItems(tenantId: string, id: string): Promise<StoredItem[] | undefined>;
  getItem(tenantId: string, id: string, itemId: string): Promise<StoredItem | undefined>;
  deleteItem(tenantId: string, id: string, itemId: string): Promise<boolean>;
}

export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets the value unless one exists; returns the value now stored. */
  setIfAbsent(key: string, value: string): Promise<string>;
}

export interface ApiKeyRecord {
  id: string;
  tenant_id: string;
  name: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  key_hash: string;
  /** First and last characters, to recognise a key in listings. */
  preview: string;
  created_at: number;
  revoked_at: number | null;
}

export interface ApiKeyRepository {
  create(record: ApiKeyRecord): Promise<void>;
  /** The active (not revoked) key with this hash. */
  findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Marks the key revoked; false when unknown or already revoked. */
  revoke(id: string, at: number): Promise<boolean>;
  hasActiveKeys(): Promise<boolean>;
}

/** A stream event as logged: its sequence number and its JSON, serialised once. */
export interface LoggedEvent {
  seq: number;
  data: string;
}

export interface EventLogRepository {
  append(responseId: string, events: readonly LoggedEvent[]): Promise<void>;
  /** Events with seq > afterSeq, in order. */
  after(responseId: string, afterSeq: number): Promise<LoggedEvent[]>;
  lastSeq(responseId: string): Promise<number | undefined>;
}

export interface Job {
  responseId: string;
  tenantId: string;
  /** The validated create body, JSON. */
  request: string;
  cancelRequested: boolean;
}

export interface JobRepository {
  /** Stores the queued response, its opening events and its job, in one transaction. */
  enqueue(
    tenantId: string,
    record: ResponseRecord,
    request: string,
    events: readonly LoggedEvent[],
  ): Promise<void>;
  /** Takes the oldest queued job and marks it running. */
  claim(): Promise<Job | undefined>;
  finish(responseId: string): Promise<void>;
  /** Records a cancel request; returns the job's state before it, or undefined for no job. */
  requestCancel(tenantId: string, responseId: string): Promise<'queued' | 'running' | 'done' | undefined>;
  /** Which of these running jobs have a cancel request. */
  cancelRequested(responseIds: readonly string[]): Promise<string[]>;
  /** Jobs left running by a previous process: marked done and returned, for the caller to settle. */
  takeInterrupted(): Promise<Job[]>;
}

/** A code container (code_interpreter and hosted shell): its files live beside the store. */
export interface ContainerRecord {
  id: string;
  name: string;
  /** Unix seconds. */
  created_at: number;
  last_active_at: number;
  /** `expired` once idle past `expires_after` (its files are gone then). */
  status: 'running' | 'expired';
  memory_limit: '1g' | '4g' | '16g' | '64g';
  /** Idle minutes after `last_active_at` before it expires. */
  expires_after_minutes: number;
}

export interface ContainerFileRecord {
  id: string;
  container_id: string;
  /** Absolute path inside the container, e.g. `/mnt/data/report.csv`; unique per container. */
  path: string;
  bytes: number;
  created_at: number;
  /** `user` (uploaded) or `assistant` (written by code). */
  source: 'user' | 'assistant';
}

export interface ContainerListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string | undefined;
  name?: string | undefined;
}

export interface ContainerRepository {
  create(tenantId: string, record: ContainerRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<ContainerRecord | undefined>;
  list(tenantId: string, query: ContainerListQuery): Promise<Page<ContainerRecord>>;
  touch(tenantId: string, id: string, at: number): Promise<void>;
  /** Marks it expired and forgets its files. */
  expire(tenantId: string, id: string): Promise<void>;
  /** Removes it and its files; false when unknown. */
  delete(tenantId: string, id: string): Promise<boolean>;
  countRunning(tenantId: string): Promise<number>;
  /** Running containers idle past their expiry at `now` (unix seconds), of any tenant. */
  idleExpired(now: number): Promise<Array<{ tenantId: string; id: string }>>;
  /** Adds the file, replacing the container's file at the same path (returned when there was one). */
  putFile(tenantId: string, file: ContainerFileRecord): Promise<ContainerFileRecord | undefined>;
  getFile(tenantId: string, containerId: string, fileId: string): Promise<ContainerFileRecord | undefined>;
  fileAtPath(tenantId: string, containerId: string, path: string): Promise<ContainerFileRecord | undefined>;
  listFiles(tenantId: string, containerId: string, query: PageQuery): Promise<Page<ContainerFileRecord>>;
  /** Every file of the container, oldest first. */
  allFiles(tenantId: string, containerId: string): Promise<ContainerFileRecord[]>;
  deleteFile(tenantId: string, containerId: string, fileId: string): Promise<boolean>;
}

export interface Store {
  readonly responses: ResponseRepository;
  readonly containers: ContainerRepository;
  readonly jobs: JobRepository;
  readonly events: EventLogRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly conversations: ConversationRepository;
  readonly settings: SettingsRepository;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
