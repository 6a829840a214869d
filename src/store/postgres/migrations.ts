/**
 * Versioned schema for the PostgreSQL store, forward only: step N runs once, in order, in a
 * transaction, and `schema_migrations` records it. Bodies are TEXT holding the JSON as written
 * (jsonb would reorder keys); attributes are cast to jsonb where filters read them.
 */
export const PG_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE responses (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    previous_response_id TEXT,
    conversation_id TEXT,
    status TEXT NOT NULL,
    body TEXT NOT NULL,
    deleted BOOLEAN NOT NULL DEFAULT false,
    -- The instance that saved it in progress: when that instance is gone, so is its stream.
    runner TEXT
  );
  CREATE INDEX responses_in_progress ON responses (id) WHERE status = 'in_progress';
  CREATE TABLE response_items (
    response_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    kind SMALLINT NOT NULL,
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (response_id, kind, position)
  );
  CREATE INDEX response_items_by_item ON response_items (tenant_id, item_id);
  CREATE TABLE conversations (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    metadata TEXT NOT NULL
  );
  CREATE TABLE conversation_items (
    conversation_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (conversation_id, position)
  );
  CREATE UNIQUE INDEX conversation_items_by_item ON conversation_items (conversation_id, item_id);
  CREATE INDEX conversation_items_by_tenant_item ON conversation_items (tenant_id, item_id);
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE api_keys (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    preview TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
  );
  -- Gateway processes sharing the database, each heartbeating: a job or stream whose instance
  -- stopped heartbeating is taken over (failed) by another.
  CREATE TABLE instances (
    id TEXT COLLATE "C" PRIMARY KEY,
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
  );
  CREATE TABLE jobs (
    queue_seq BIGSERIAL,
    response_id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    request TEXT NOT NULL,
    state TEXT NOT NULL,
    cancel_requested BOOLEAN NOT NULL DEFAULT false,
    created_at BIGINT NOT NULL,
    owner TEXT
  );
  CREATE INDEX jobs_queued ON jobs (queue_seq) WHERE state = 'queued';
  CREATE INDEX jobs_running ON jobs (owner) WHERE state = 'running';
  CREATE TABLE response_events (
    response_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (response_id, seq)
  );
  `,
  // Files and vector stores: metadata here, content in the file store; chunks with a tsvector for
  // lexical search and their embeddings (normalised, real[]) for exact cosine search, scored in
  // the gateway from a cached matrix (in SQL it took ~0.6 s for 1,000 × 384, bench/store/).
  `
  CREATE TABLE files (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    sha256 TEXT NOT NULL,
    media_type TEXT NOT NULL
  );
  CREATE INDEX files_by_tenant ON files (tenant_id, id);
  CREATE INDEX files_by_content ON files (sha256);
  CREATE INDEX files_by_expiry ON files (expires_at) WHERE expires_at IS NOT NULL;
  CREATE TABLE vector_stores (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT,
    created_at BIGINT NOT NULL,
    last_active_at BIGINT,
    metadata TEXT,
    expires_after TEXT,
    -- Bumped by every write to the store's chunks: what cached embedding matrices are checked against.
    index_version BIGINT NOT NULL DEFAULT 0
  );
  CREATE INDEX vector_stores_by_tenant ON vector_stores (tenant_id, id);
  CREATE TABLE vector_store_files (
    seq BIGSERIAL PRIMARY KEY,
    vector_store_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    attributes TEXT,
    chunking TEXT NOT NULL,
    usage_bytes BIGINT NOT NULL DEFAULT 0,
    last_error TEXT,
    batch_id TEXT,
    claim TEXT
  );
  CREATE UNIQUE INDEX vector_store_files_by_store ON vector_store_files (vector_store_id, file_id);
  CREATE INDEX vector_store_files_by_file ON vector_store_files (file_id);
  CREATE INDEX vector_store_files_waiting ON vector_store_files (seq) WHERE status = 'in_progress' AND claim IS NULL;
  CREATE INDEX vector_store_files_by_batch ON vector_store_files (batch_id) WHERE batch_id IS NOT NULL;
  CREATE TABLE vector_store_file_batches (
    id TEXT COLLATE "C" PRIMARY KEY,
    vector_store_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    cancelled BOOLEAN NOT NULL DEFAULT false
  );
  CREATE INDEX vector_store_file_batches_by_store ON vector_store_file_batches (vector_store_id);
  CREATE TABLE chunks (
    id BIGSERIAL PRIMARY KEY,
    vector_store_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    text TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    tsv TSVECTOR GENERATED ALWAYS AS (to_tsvector('english', text)) STORED
  );
  CREATE INDEX chunks_by_file ON chunks (vector_store_id, file_id, position);
  CREATE INDEX chunks_text ON chunks USING GIN (tsv);
  CREATE TABLE chunk_vectors (
    chunk_id BIGINT PRIMARY KEY REFERENCES chunks (id) ON DELETE CASCADE,
    vector_store_id TEXT NOT NULL,
    model TEXT NOT NULL,
    embedding REAL[] NOT NULL
  );
  CREATE INDEX chunk_vectors_by_store ON chunk_vectors (vector_store_id, model);
  `,
  `
  CREATE TABLE containers (
    id TEXT COLLATE "C" PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_active_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    memory_limit TEXT NOT NULL,
    expires_after_minutes INTEGER NOT NULL
  );
  CREATE INDEX containers_by_tenant ON containers (tenant_id, id);
  CREATE INDEX containers_by_activity ON containers (status, last_active_at);
  CREATE TABLE container_files (
    id TEXT COLLATE "C" PRIMARY KEY,
    container_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    path TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (container_id, path)
  );
  CREATE INDEX container_files_by_container ON container_files (container_id, id);
  `,
  // Limits, expiry, model lists and admin flag per key; one usage row per response.
  `
  ALTER TABLE api_keys ADD COLUMN rpm INTEGER;
  ALTER TABLE api_keys ADD COLUMN tpm INTEGER;
  ALTER TABLE api_keys ADD COLUMN max_concurrent INTEGER;
  ALTER TABLE api_keys ADD COLUMN budget_usd DOUBLE PRECISION;
  ALTER TABLE api_keys ADD COLUMN budget_period TEXT;
  ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;
  ALTER TABLE api_keys ADD COLUMN models JSONB;
  ALTER TABLE api_keys ADD COLUMN admin BOOLEAN NOT NULL DEFAULT false;
  ALTER TABLE jobs ADD COLUMN key_id TEXT;
  CREATE TABLE usage (
    id BIGSERIAL PRIMARY KEY,
    response_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
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
    cost_usd DOUBLE PRECISION NOT NULL
  );
  CREATE INDEX usage_by_time ON usage (created_at);
  CREATE INDEX usage_by_key ON usage (key_id, created_at);
  CREATE INDEX usage_by_tenant ON usage (tenant_id, created_at);
  `,
  // Shared by the instances: what each used of the rate limits (kept two minutes), what each runs
  // now, and the circuits they opened (the latest per target).
  `
  CREATE TABLE rate_usage (
    id BIGSERIAL PRIMARY KEY,
    instance_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    at_ms BIGINT NOT NULL,
    requests INTEGER NOT NULL,
    tokens BIGINT NOT NULL
  );
  CREATE INDEX rate_usage_by_time ON rate_usage (at_ms);
  CREATE TABLE rate_active (
    instance_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    active INTEGER NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (instance_id, subject)
  );
  CREATE TABLE breaker_openings (
    target TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    at_ms BIGINT NOT NULL
  );
  `,
];
