-- The catalog: datasets, their immutable versions, and what each ingest saw.
-- Facts live in one table per dataset version (see store.FactsTable); these
-- tables describe them.
CREATE TABLE datasets (
    id         VARCHAR PRIMARY KEY,
    kind       VARCHAR NOT NULL,
    meta       VARCHAR NOT NULL,          -- JSON of mizan.Dataset without versions
    created_at TIMESTAMP NOT NULL DEFAULT current_timestamp
);

CREATE TABLE versions (
    dataset_id   VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    status       VARCHAR NOT NULL,        -- published | draft
    content_hash VARCHAR NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    facts_table  VARCHAR NOT NULL,
    meta         VARCHAR NOT NULL,        -- JSON of mizan.Version
    summary      VARCHAR NOT NULL,        -- JSON of the ingest summary
    PRIMARY KEY (dataset_id, version)
);

CREATE TABLE members (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    dim        VARCHAR NOT NULL,
    level      VARCHAR NOT NULL,
    depth      INTEGER NOT NULL,
    key        VARCHAR NOT NULL,
    parent     VARCHAR,
    label_en   VARCHAR,
    label_ar   VARCHAR,
    label_src  VARCHAR,
    search     VARCHAR NOT NULL          -- textnorm.Fold of every label and the key
);

CREATE TABLE rejects (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    source_id  INTEGER NOT NULL,
    source_row BIGINT NOT NULL,
    "column"   VARCHAR NOT NULL,
    raw        VARCHAR NOT NULL,
    reason     VARCHAR NOT NULL
);

CREATE TABLE reconciliation (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    source_id  INTEGER NOT NULL,
    source_row BIGINT NOT NULL,
    scope      VARCHAR NOT NULL,          -- what the published total covers, in words
    published  VARCHAR NOT NULL,          -- exact decimal
    computed   VARCHAR NOT NULL,          -- exact decimal
    difference VARCHAR NOT NULL,
    matches    BOOLEAN NOT NULL
);
