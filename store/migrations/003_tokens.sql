-- Access: API tokens and the audit log of what they did to versions.
--
-- A token is shown once, when it is created; only the SHA-256 of its text is
-- kept (hex). Tokens are 256-bit random strings, so a fast hash is enough:
-- slow password hashes protect guessable secrets, and there is nothing to
-- guess here. Names stay unique even after revocation so that the audit log
-- keeps meaning one holder.
CREATE TABLE tokens (
    name         VARCHAR PRIMARY KEY,
    hash         VARCHAR NOT NULL,          -- hex SHA-256 of the token text
    scopes       VARCHAR NOT NULL,          -- comma-separated: ingest, publish, delete, read-drafts
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,                 -- updated at most once a minute
    revoked_at   TIMESTAMP
);

-- Who published or deleted which version, and when. Ingests are recorded
-- by the versions themselves.
CREATE TABLE version_events (
    dataset_id VARCHAR NOT NULL,
    version    INTEGER NOT NULL,
    action     VARCHAR NOT NULL,            -- publish | delete
    actor      VARCHAR NOT NULL,            -- token name, or "cli" for a local command
    happened_at TIMESTAMP NOT NULL
);
