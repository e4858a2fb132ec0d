-- +goose Up
-- owner_id is a repository's or an organization's id, as for secrets.
-- secret is sealed under the server key by the caller; NULL when none.
CREATE TABLE hooks (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    scope        TEXT    NOT NULL CHECK (scope IN ('repo', 'org')),
    owner_id     INTEGER NOT NULL,
    name         TEXT    NOT NULL DEFAULT 'web',
    url          TEXT    NOT NULL,
    content_type TEXT    NOT NULL CHECK (content_type IN ('json', 'form')),
    secret       BLOB,
    insecure_ssl TEXT    NOT NULL CHECK (insecure_ssl IN ('0', '1')),
    events       TEXT    NOT NULL,
    active       INTEGER NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    last_code    INTEGER NOT NULL DEFAULT 0,
    last_status  TEXT    NOT NULL DEFAULT 'unused',
    last_message TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (scope, owner_id, url)
);

-- The webhook outbox. The columns after lease_until describe the latest
-- attempt; hook_delivery_attempts keeps every attempt.
CREATE TABLE hook_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    guid             TEXT    NOT NULL,
    hook_id          INTEGER NOT NULL REFERENCES hooks (id) ON DELETE CASCADE,
    event            TEXT    NOT NULL,
    action           TEXT    NOT NULL DEFAULT '',
    payload          BLOB    NOT NULL,
    repo_id          INTEGER NOT NULL DEFAULT 0,
    redelivery       INTEGER NOT NULL DEFAULT 0,
    state            TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'failed', 'dropped')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    lease_until      INTEGER,
    created_at       INTEGER NOT NULL,
    delivered_at     INTEGER,
    duration         REAL    NOT NULL DEFAULT 0,
    status_code      INTEGER NOT NULL DEFAULT 0,
    status           TEXT    NOT NULL DEFAULT '',
    request_headers  TEXT    NOT NULL DEFAULT '{}',
    response_headers TEXT    NOT NULL DEFAULT '{}',
    response_body    TEXT    NOT NULL DEFAULT '',
    error            TEXT    NOT NULL DEFAULT ''
);

-- Listing a hook's deliveries newest first (the rowid follows hook_id).
CREATE INDEX hook_deliveries_hook ON hook_deliveries (hook_id);

-- The queue: the head of each hook's pending deliveries is found by a
-- loose index scan over this small index, however long the history.
CREATE INDEX hook_deliveries_pending ON hook_deliveries (hook_id) WHERE state = 'pending';

CREATE TABLE hook_delivery_attempts (
    delivery_id      INTEGER NOT NULL REFERENCES hook_deliveries (id) ON DELETE CASCADE,
    number           INTEGER NOT NULL,
    at               INTEGER NOT NULL,
    duration         REAL    NOT NULL,
    status_code      INTEGER NOT NULL,
    status           TEXT    NOT NULL,
    error            TEXT    NOT NULL,
    request_headers  TEXT    NOT NULL,
    response_headers TEXT    NOT NULL,
    response_body    TEXT    NOT NULL,
    PRIMARY KEY (delivery_id, number)
);

-- +goose Down
DROP TABLE hook_delivery_attempts;
DROP TABLE hook_deliveries;
DROP TABLE hooks;
