-- Contracts datasets (kind "contracts", OCDS): one row set per dataset
-- version, next to the version's facts table (award and contract values as
-- facts). Every row names its dataset and version; rows whose version has no
-- row in versions are the leftovers of an ingest that did not commit and are
-- never read. Amounts are exact: DECIMAL(38, 6) plus an ISO 4217 currency.
-- Provenance: source_id indexes the version's sources (versions.meta), value
-- is the top-level JSON value (JSON Lines line) and pointer a JSON pointer
-- into it.
CREATE TABLE contract_processes (
    dataset_id       VARCHAR NOT NULL,
    version          INTEGER NOT NULL,
    process_id       INTEGER NOT NULL,
    ocid             VARCHAR NOT NULL,
    title            VARCHAR,
    description      VARCHAR,
    buyer_entity     VARCHAR,
    buyer_name       VARCHAR,
    method           VARCHAR,          -- tender.procurementMethod (open, selective, limited, direct...)
    method_details   VARCHAR,
    method_rationale VARCHAR,
    competitive      BOOLEAN,          -- open or selective: true; limited or direct: false; else unknown
    tenderers        INTEGER,          -- numberOfTenderers, or the tenderers listed
    tender_start     DATE,
    tender_end       DATE,
    tender_amount    DECIMAL(38, 6),
    tender_currency  VARCHAR,
    date             DATE,             -- of the latest release
    year             INTEGER,          -- of the first award or contract, else of date
    amount           DECIMAL(38, 6),   -- contracts' value (awards' when no contract has one), when in one currency
    currency         VARCHAR,
    awards           INTEGER NOT NULL,
    contracts        INTEGER NOT NULL,
    releases         INTEGER NOT NULL,
    tags             VARCHAR,
    source_id        INTEGER NOT NULL,
    value            INTEGER NOT NULL,
    pointer          VARCHAR NOT NULL,
    search_raw       VARCHAR,          -- the searchable text as published (for comparison scans)
    compiled         VARCHAR NOT NULL  -- the compiled release, every field kept
);

CREATE TABLE contract_releases (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    process_id INTEGER NOT NULL,
    release_id VARCHAR,
    date       VARCHAR,
    tags       VARCHAR,
    kind       VARCHAR NOT NULL,      -- release | compiled | versioned
    source_id  INTEGER NOT NULL,
    value      INTEGER NOT NULL,
    pointer    VARCHAR NOT NULL
);

CREATE TABLE contract_parties (
    dataset_id  VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    process_id  INTEGER NOT NULL,
    party_index INTEGER NOT NULL,
    ref         VARCHAR,
    entity_id   VARCHAR,
    name        VARCHAR,
    norm_name   VARCHAR,
    scheme      VARCHAR,
    identifier  VARCHAR,
    roles       VARCHAR,              -- comma-separated OCDS roles
    pointer     VARCHAR
);

CREATE TABLE contract_entities (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    entity_id  VARCHAR NOT NULL,
    name       VARCHAR,               -- the most used spelling
    norm_name  VARCHAR,
    scheme     VARCHAR,
    identifier VARCHAR,
    spellings  VARCHAR,               -- JSON array of every raw spelling
    processes  INTEGER NOT NULL
);

CREATE TABLE contract_awards (
    dataset_id  VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    process_id  INTEGER NOT NULL,
    award_index INTEGER NOT NULL,
    award_id    VARCHAR,
    title       VARCHAR,
    status      VARCHAR,
    date        DATE,
    amount      DECIMAL(38, 6),
    currency    VARCHAR,
    pointer     VARCHAR
);

CREATE TABLE contract_award_suppliers (
    dataset_id  VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    process_id  INTEGER NOT NULL,
    award_index INTEGER NOT NULL,
    entity_id   VARCHAR,
    name        VARCHAR
);

CREATE TABLE contract_tenderers (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    process_id INTEGER NOT NULL,
    entity_id  VARCHAR,
    name       VARCHAR
);

CREATE TABLE contract_contracts (
    dataset_id       VARCHAR NOT NULL,
    version          INTEGER NOT NULL,
    process_id       INTEGER NOT NULL,
    contract_index   INTEGER NOT NULL,
    contract_id      VARCHAR,
    award_id         VARCHAR,
    supplier_entity  VARCHAR,          -- first supplier of the contract's award
    title            VARCHAR,
    status           VARCHAR,
    date_signed      DATE,
    date             DATE,             -- date signed, else the award's date
    start_date       DATE,
    end_date         DATE,
    amount           DECIMAL(38, 6),
    currency         VARCHAR,
    initial_amount   DECIMAL(38, 6),
    initial_currency VARCHAR,
    amendments       INTEGER NOT NULL,
    pointer          VARCHAR
);

CREATE TABLE contract_amendments (
    dataset_id    VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    process_id    INTEGER NOT NULL,
    contract_id   VARCHAR,
    amendment_id  VARCHAR,
    date          DATE,
    rationale     VARCHAR,
    description   VARCHAR,
    amount_before DECIMAL(38, 6),
    amount_after  DECIMAL(38, 6),
    currency      VARCHAR,
    pointer       VARCHAR
);

CREATE TABLE contract_items (
    dataset_id     VARCHAR NOT NULL,
    version        INTEGER NOT NULL,
    process_id     INTEGER NOT NULL,
    parent         VARCHAR NOT NULL,  -- tender | award | contract
    parent_id      VARCHAR,
    item_id        VARCHAR,
    description    VARCHAR,
    scheme         VARCHAR,
    classification VARCHAR,
    quantity       VARCHAR,
    unit           VARCHAR,
    unit_amount    DECIMAL(38, 6),
    unit_currency  VARCHAR,
    pointer        VARCHAR
);

CREATE TABLE contract_budget (
    dataset_id  VARCHAR NOT NULL,
    version     INTEGER NOT NULL,
    process_id  INTEGER NOT NULL,
    budget_id   VARCHAR,
    description VARCHAR,
    project     VARCHAR,
    project_id  VARCHAR,
    uri         VARCHAR,
    amount      DECIMAL(38, 6),
    currency    VARCHAR,
    pointer     VARCHAR
);

CREATE TABLE contract_problems (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    file       VARCHAR NOT NULL,
    value      INTEGER NOT NULL,
    ocid       VARCHAR,
    path       VARCHAR,
    message    VARCHAR NOT NULL
);

-- Search postings: textnorm.Tokens of titles, descriptions, item
-- descriptions, buyer and supplier names → process.
CREATE TABLE contract_tokens (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    token      VARCHAR NOT NULL,
    process_id INTEGER NOT NULL
);
