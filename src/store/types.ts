/**
 * Repository interfaces the engine talks to. Every call is scoped by tenant: an id that belongs to
 * another tenant reads as absent. Asynchronous so that a PostgreSQL backend can satisfy them as is.
 */
import type { AttributeFilter, Attributes } from '../protocol/attribute-filter.js';
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
  /**
   * Responses stored `in_progress` that no queued or running job will finish: at start-up, those
   * a previous process was running when it ended.
   */
  listInterrupted(): Promise<Array<{ tenantId: string; id: string }>>;
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

/** Limits a key carries; null = none of its own (the tenant's and the config's defaults apply). */
export interface KeyLimits {
  /** Requests per minute. */
  rpm: number | null;
  /** Tokens (input + output) per minute. */
  tpm: number | null;
  max_concurrent: number | null;
  /** Spend allowed per budget period, USD. */
  budget_usd: number | null;
  budget_period: 'day' | 'month' | null;
}

export interface ApiKeyRecord extends KeyLimits {
  id: string;
  tenant_id: string;
  name: string;
  /** SHA-256 of the key, hex; the key itself is never stored. */
  key_hash: string;
  /** First and last characters, to recognise a key in listings. */
  preview: string;
  created_at: number;
  revoked_at: number | null;
  /** Unix seconds after which the key is refused; null: never. */
  expires_at: number | null;
  /** Models the key may name (as the client writes them); null: any. */
  models: string[] | null;
  /** An admin key also reaches the admin API (/admin/…). */
  admin: boolean;
}

/** What `keys update` may change. */
export type ApiKeyPatch = Partial<Pick<ApiKeyRecord, keyof KeyLimits | 'name' | 'expires_at' | 'models'>>;

export interface ApiKeyRepository {
  create(record: ApiKeyRecord): Promise<void>;
  /** The active (not revoked) key with this hash. */
  findActiveByHash(keyHash: string): Promise<ApiKeyRecord | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Changes an active key; undefined when unknown or revoked. */
  update(id: string, patch: ApiKeyPatch): Promise<ApiKeyRecord | undefined>;
  /** Marks the key revoked; false when unknown or already revoked. */
  revoke(id: string, at: number): Promise<boolean>;
  hasActiveKeys(): Promise<boolean>;
}

/** One finished (or failed) response, as metered. */
export interface UsageRow {
  response_id: string;
  /** Unix milliseconds when the request started. */
  created_at: number;
  tenant_id: string;
  key_id: string;
  model: string;
  provider: string;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  /** Built-in tool calls (file_search, code_interpreter, …) the gateway ran. */
  tool_calls: number;
  latency_ms: number;
  /** Time to the first output token; null when none came. */
  ttft_ms: number | null;
  status: string;
  cost_usd: number;
}

export type UsageGroupBy = 'key' | 'tenant' | 'model' | 'provider';

export interface UsageQuery {
  /** Unix milliseconds, inclusive / exclusive. */
  since: number;
  until: number;
  groupBy: UsageGroupBy;
  /** Only this tenant's rows. */
  tenantId?: string;
}

export interface UsageGroup {
  group: string;
  requests: number;
  input_tokens: number;
  cached_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  tool_calls: number;
  cost_usd: number;
  /** Mean latency and time to first token, ms. */
  avg_latency_ms: number;
  avg_ttft_ms: number | null;
}

/** A usage query cut into buckets of `bucketMs`, the first starting at `since`. */
export interface UsageBucketQuery extends UsageQuery {
  bucketMs: number;
}

/** One group's usage within one bucket: `bucket` counts from 0 at `since`. */
export interface UsageBucketGroup extends UsageGroup {
  bucket: number;
}

export interface UsageRepository {
  /** Appends rows (the recorder hands them over in batches). */
  append(rows: readonly UsageRow[]): Promise<void>;
  /** Spend since `since` (unix ms) of one key or one tenant, USD. */
  spend(scope: { keyId: string } | { tenantId: string }, since: number): Promise<number>;
  summarize(query: UsageQuery): Promise<UsageGroup[]>;
  /** Groups per bucket, only buckets and groups that have rows, ordered by bucket. */
  summarizeBuckets(query: UsageBucketQuery): Promise<UsageBucketGroup[]>;
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
  /**
   * Calls `onAppend` whenever events of the response are appended, by any instance (PostgreSQL:
   * LISTEN/NOTIFY); returns the unsubscribe. Absent where only this process writes the log.
   * Followers keep polling regardless: a wake-up only makes them read sooner.
   */
  subscribe?(responseId: string, onAppend: () => void): () => void;
}

export interface Job {
  responseId: string;
  tenantId: string;
  /** The validated create body, JSON. */
  request: string;
  cancelRequested: boolean;
  /** The API key that queued it, for its usage row; null for jobs queued before keys were kept. */
  keyId: string | null;
}

export interface JobRepository {
  /** Stores the queued response, its opening events and its job, in one transaction. */
  enqueue(
    tenantId: string,
    record: ResponseRecord,
    request: string,
    events: readonly LoggedEvent[],
    keyId?: string,
  ): Promise<void>;
  /** Takes the oldest queued job and marks it running. */
  claim(): Promise<Job | undefined>;
  finish(responseId: string): Promise<void>;
  /** Records a cancel request; returns the job's state before it, or undefined for no job. */
  requestCancel(tenantId: string, responseId: string): Promise<'queued' | 'running' | 'done' | undefined>;
  /** Which of these running jobs have a cancel request. */
  cancelRequested(responseIds: readonly string[]): Promise<string[]>;
  /**
   * Jobs whose runner is gone: marked done and returned, for the caller to settle — each to one
   * caller only. A store one process uses alone (SQLite) answers every running job, so it is asked
   * at start only; a shared store (PostgreSQL) answers the jobs of instances whose lease ran out,
   * never the caller's own, and is asked periodically.
   */
  takeInterrupted(): Promise<Job[]>;
  /** Jobs waiting for a worker (metrics). */
  countQueued(): Promise<number>;
  /** A running job handed back at shutdown: queued again, for this or another process to run. */
  requeue(responseId: string): Promise<void>;
}

// ------------------------------------------------------------------ files and vector stores

/** An uploaded file's metadata; its content lives in the content-addressed file store. */
export interface FileRecord {
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  /** Unix seconds. */
  created_at: number;
  expires_at: number | null;
  /** SHA-256 of the content, hex: its name in the file store. */
  sha256: string;
  media_type: string;
}

export interface FileListQuery {
  limit: number;
  order: 'asc' | 'desc';
  after?: string | undefined;
  purpose?: string | undefined;
}

export interface FileRepository {
  create(tenantId: string, record: FileRecord): Promise<void>;
  /** Absent once expired. */
  get(tenantId: string, id: string, now: number): Promise<FileRecord | undefined>;
  list(tenantId: string, query: FileListQuery, now: number): Promise<Page<FileRecord>>;
  /**
   * Removes the file, its attachments to every vector store and their chunks, in one transaction;
   * returns what was removed.
   */
  delete(tenantId: string, id: string): Promise<FileRecord | undefined>;
  /** How many files, of any tenant, have this content. */
  countByContent(sha256: string): Promise<number>;
  /** Files past their `expires_at` (any tenant), to be deleted. */
  expired(now: number, limit: number): Promise<Array<{ tenantId: string; id: string }>>;
}

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled';

export interface FileCounts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

/** Chunk sizes in tokens, as resolved from `auto` or `static`. */
export interface ChunkingSettings {
  max_chunk_size_tokens: number;
  chunk_overlap_tokens: number;
}

export interface VectorStoreRecord {
  id: string;
  name: string;
  description: string | null;
  created_at: number;
  last_active_at: number | null;
  metadata: Record<string, string> | null;
  expires_after: { anchor: 'last_active_at'; days: number } | null;
}

/** A vector store with what its files add up to. */
export interface VectorStoreSummary extends VectorStoreRecord {
  file_counts: FileCounts;
  usage_bytes: number;
}

export interface VectorStoreFileRecord {
  vector_store_id: string;
  file_id: string;
  created_at: number;
  status: VectorStoreFileStatus;
  attributes: Attributes | null;
  /** `static` as given or resolved from `auto`. */
  chunking: ChunkingSettings;
  usage_bytes: number;
  last_error: { code: 'server_error' | 'unsupported_file' | 'invalid_file'; message: string } | null;
  batch_id: string | null;
}

export interface FileBatchRecord {
  id: string;
  vector_store_id: string;
  created_at: number;
  cancelled: boolean;
}

export interface FileBatchSummary extends FileBatchRecord {
  file_counts: FileCounts;
}

export interface VectorStoreFileQuery extends PageQuery {
  filter?: VectorStoreFileStatus | undefined;
  batchId?: string | undefined;
}

export type VectorStorePatch = Partial<Pick<VectorStoreRecord, 'name' | 'metadata' | 'expires_after'>>;

/** One attachment waiting to be parsed and indexed. */
export interface IngestionTask {
  tenantId: string;
  vectorStoreId: string;
  fileId: string;
  chunking: ChunkingSettings;
  /** Set at claim time: a re-attached or cancelled file no longer matches it. */
  claim: string;
}

export interface ChunkInput {
  text: string;
  tokens: number;
  /** Present when an embeddings model is configured. */
  embedding?: Float32Array | undefined;
}

export type IngestionOutcome =
  | { ok: true; chunks: readonly ChunkInput[]; usageBytes: number; embeddingModel: string | undefined }
  | { ok: false; error: NonNullable<VectorStoreFileRecord['last_error']> };

export interface ChunkSearchScope {
  tenantId: string;
  vectorStoreIds: readonly string[];
  filter: AttributeFilter | undefined;
  limit: number;
}

export interface ChunkHit {
  chunkId: number;
  vectorStoreId: string;
  fileId: string;
  filename: string;
  attributes: Attributes | null;
  text: string;
  /** Lexical: BM25 (higher is better); vector: cosine similarity. */
  raw: number;
}

export interface VectorStoreRepository {
  /** Stores the vector store with its first attachments, in one transaction. */
  create(tenantId: string, record: VectorStoreRecord, files: readonly VectorStoreFileRecord[]): Promise<void>;
  get(tenantId: string, id: string): Promise<VectorStoreSummary | undefined>;
  list(tenantId: string, page: PageQuery): Promise<Page<VectorStoreSummary>>;
  update(tenantId: string, id: string, patch: VectorStorePatch): Promise<VectorStoreSummary | undefined>;
  /** Removes the store, its attachments, batches and chunks. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Sets `last_active_at` (searches use a store). */
  touch(tenantId: string, ids: readonly string[], at: number): Promise<void>;

  /**
   * Attaches files (an attachment of the same file is replaced and indexed again), and the batch
   * they came in, if any; false when the store does not exist.
   */
  attach(
    tenantId: string,
    storeId: string,
    files: readonly VectorStoreFileRecord[],
    batch?: FileBatchRecord,
  ): Promise<boolean>;
  getFile(tenantId: string, storeId: string, fileId: string): Promise<VectorStoreFileRecord | undefined>;
  /** Undefined when the store (or the batch) does not exist. */
  listFiles(
    tenantId: string,
    storeId: string,
    query: VectorStoreFileQuery,
  ): Promise<Page<VectorStoreFileRecord> | undefined>;
  updateAttributes(
    tenantId: string,
    storeId: string,
    fileId: string,
    attributes: Attributes | null,
  ): Promise<VectorStoreFileRecord | undefined>;
  /** Detaches a file and drops its chunks from this store. */
  detach(tenantId: string, storeId: string, fileId: string): Promise<boolean>;
  /** The file's chunks in this store, in order (its parsed content). */
  fileChunks(tenantId: string, storeId: string, fileId: string): Promise<string[] | undefined>;

  getBatch(tenantId: string, storeId: string, batchId: string): Promise<FileBatchSummary | undefined>;
  /** Marks the batch cancelled and its files not yet indexed `cancelled`. */
  cancelBatch(tenantId: string, storeId: string, batchId: string): Promise<FileBatchSummary | undefined>;

  /** Takes the oldest attachment waiting to be indexed. */
  claimIngestion(): Promise<IngestionTask | undefined>;
  /** Claims a previous process left: waiting again (at start, before any claim). */
  releaseClaims(): Promise<number>;
  /**
   * Records the outcome (chunks and status together) unless the attachment changed since the
   * claim (detached, re-attached, cancelled): then nothing is written and false returned.
   */
  finishIngestion(task: IngestionTask, outcome: IngestionOutcome): Promise<boolean>;

  /** BM25 over the chunks' text for chunks holding any of `terms` (the query's words), best first. */
  searchText(scope: ChunkSearchScope, terms: readonly string[]): Promise<ChunkHit[]>;
  /** Nearest chunks by cosine similarity among those embedded with `model`. */
  searchVector(scope: ChunkSearchScope, vector: Float32Array, model: string): Promise<ChunkHit[]>;
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

/** What one instance used of a rate-limited subject (`k:<key id>`, `t:<tenant>`) since it last said. */
export interface RateUsage {
  subject: string;
  requests: number;
  tokens: number;
}

/** A circuit an instance opened for a target (`provider/model`), and how long ago (clocks may differ). */
export interface TargetOpening {
  target: string;
  ageMs: number;
}

/** What one instance tells the others at an exchange. */
export interface LocalShare {
  /** What it used since its previous exchange. */
  used: readonly RateUsage[];
  /** Requests it runs now, per subject (0 for one it said was running before). */
  active: ReadonlyMap<string, number>;
  /** Circuits it opened since its previous exchange. */
  opened: readonly TargetOpening[];
}

/** What the other instances did, as one instance learns it at an exchange. */
export interface ForeignShare {
  /** What they used since this instance's previous exchange. */
  used: RateUsage[];
  /** Requests they are running now, per subject. */
  active: Map<string, number>;
  /** Circuits they opened since this instance's previous exchange. */
  opened: TargetOpening[];
}

/**
 * What the instances of one database share besides the data (cluster/instance-sharing.ts): their
 * rate-limit use and the circuits they opened. Each says what it did and learns what the others did.
 */
export interface InstanceShareRepository {
  exchange(mine: LocalShare): Promise<ForeignShare>;
}

export interface Store {
  /**
   * Several gateway processes may use it at once (PostgreSQL): interrupted work is then swept
   * periodically, not only at start.
   */
  readonly shared: boolean;
  /** Present when several processes use the store: their limits and circuits are shared through it. */
  readonly share?: InstanceShareRepository;
  readonly responses: ResponseRepository;
  readonly containers: ContainerRepository;
  readonly jobs: JobRepository;
  readonly events: EventLogRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly usage: UsageRepository;
  readonly conversations: ConversationRepository;
  readonly settings: SettingsRepository;
  readonly files: FileRepository;
  readonly vectorStores: VectorStoreRepository;
  /**
   * Before serving: brings the schema up to date when `migrate` is set, else checks it is (a
   * ConfigError saying to run `rgw migrate` otherwise). SQLite migrates when it opens.
   */
  prepare(options: { migrate: boolean }): Promise<void>;
  /** Cheap liveness check for /readyz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
