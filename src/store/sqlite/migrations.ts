/** Versioned schema for the SQLite store; each step runs once, in order, inside a transaction. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    previous_response_id TEXT,
    conversation_id TEXT,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE response_items (
    response_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    kind INTEGER NOT NULL,
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (response_id, kind, position)
  ) WITHOUT ROWID;
  CREATE INDEX response_items_by_item ON response_items (tenant_id, item_id);
  CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    metadata TEXT NOT NULL
  );
  CREATE TABLE conversation_items (
    conversation_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX conversation_items_by_item ON conversation_items (conversation_id, item_id);
  CREATE INDEX conversation_items_by_tenant_item ON conversation_items (tenant_id, item_id);
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  `,
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    preview TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  `,
  `
  CREATE TABLE jobs (
    response_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX jobs_by_state ON jobs (state, created_at);
  CREATE TABLE response_events (
    response_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (response_id, seq)
  ) WITHOUT ROWID;
  `,
  // The event log as a rowid table: events carrying a whole Response (~1.5 KB) are larger than a
  // WITHOUT ROWID row keeps in its page (~1 KB), so each spilled into an overflow page of its own.
  `
  CREATE TABLE response_events_by_rowid (
    response_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (response_id, seq)
  );
  INSERT INTO response_events_by_rowid (response_id, seq, data)
    SELECT response_id, seq, data FROM response_events ORDER BY response_id, seq;
  DROP TABLE response_events;
  ALTER TABLE response_events_by_rowid RENAME TO response_events;
  `,
  // Files and vector stores: metadata here, content in the file store; chunks with their
  // embeddings beside them for exact cosine search, and a BM25 (FTS5) table per store.
  `
  CREATE TABLE files (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL
  );
  CREATE INDEX files_by_tenant ON files (tenant_id, id);
  CREATE INDEX files_by_content ON files (sha256);
  CREATE INDEX files_by_expiry ON files (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE vector_stores (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    created_at INTEGER NOT NULL,
    last_active_at INTEGER,
    metadata TEXT,
    expires_after TEXT,
    index_version INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX vector_stores_by_tenant ON vector_stores (tenant_id, id);
  CREATE TABLE vector_store_files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    vector_store_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    attributes TEXT,
    chunking TEXT NOT NULL,
    usage_bytes INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    batch_id TEXT,
    claim TEXT
  );
  CREATE UNIQUE INDEX vector_store_files_by_store ON vector_store_files (vector_store_id, file_id);
  CREATE INDEX vector_store_files_by_file ON vector_store_files (file_id);
  CREATE INDEX vector_store_files_by_status ON vector_store_files (vector_store_id, status);
  CREATE INDEX vector_store_files_waiting ON vector_store_files (status, claim, seq);
  CREATE INDEX vector_store_files_by_batch ON vector_store_files (batch_id) WHERE batch_id IS NOT NULL;
  CREATE TABLE vector_store_file_batches (
    id TEXT PRIMARY KEY,
    vector_store_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    cancelled INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX vector_store_file_batches_by_store ON vector_store_file_batches (vector_store_id);
  CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    vector_store_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens INTEGER NOT NULL
  );
  CREATE INDEX chunks_by_file ON chunks (vector_store_id, file_id, position);
  -- The vector store and file are repeated here so that a search scans this table alone.
  CREATE TABLE chunk_vectors (
    chunk_id INTEGER PRIMARY KEY,
    vector_store_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    model TEXT NOT NULL,
    embedding BLOB NOT NULL
  );
  CREATE INDEX chunk_vectors_by_store ON chunk_vectors (vector_store_id, model);
  -- Each store's chunks are in its own FTS5 table, made with the store (see chunk-index.ts).
  CREATE TRIGGER chunks_delete AFTER DELETE ON chunks BEGIN
    DELETE FROM chunk_vectors WHERE chunk_id = old.id;
  END;
  `,
  // Code containers and their files (bytes on disk, beside the store).
  `
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    memory_limit TEXT NOT NULL,
    expires_after_minutes INTEGER NOT NULL
  );
  CREATE INDEX containers_by_tenant ON containers (tenant_id, id);
  CREATE INDEX containers_by_activity ON containers (status, last_active_at);
  CREATE TABLE container_files (
    id TEXT PRIMARY KEY,
    container_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (container_id, path)
  );
  CREATE INDEX container_files_by_container ON container_files (container_id, id);
  `,
  // Streamed responses are stored in_progress from their start: the ones a process left so are
  // found at the next start without reading every response.
  `
  CREATE INDEX responses_in_progress ON responses (id) WHERE status = 'in_progress';
  `,
  // Limits, expiry, model lists and admin flag per key; one usage row per response.
  `
  ALTER TABLE api_keys ADD COLUMN rpm INTEGER;
  ALTER TABLE api_keys ADD COLUMN tpm INTEGER;
  ALTER TABLE api_keys ADD COLUMN max_concurrent INTEGER;
  ALTER TABLE api_keys ADD COLUMN budget_usd REAL;
  ALTER TABLE api_keys ADD COLUMN budget_period TEXT;
  ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
  ALTER TABLE api_keys ADD COLUMN models TEXT;
  ALTER TABLE api_keys ADD COLUMN admin INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE jobs ADD COLUMN key_id TEXT;
  CREATE TABLE usage (
    id INTEGER PRIMARY KEY,
    response_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    tenant_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    tool_calls INTEGER NOT NULL,
    latency_ms INTEGER NOT NULL,
    ttft_ms INTEGER,
    status TEXT NOT NULL,
    cost_usd REAL NOT NULL
  );
  CREATE INDEX usage_by_time ON usage (created_at);
  CREATE INDEX usage_by_key ON usage (key_id, created_at);
  CREATE INDEX usage_by_tenant ON usage (tenant_id, created_at);
  `,
];
