-- +goose Up
CREATE TABLE runner_registration_tokens (
    hash       TEXT    PRIMARY KEY,
    scope      TEXT    NOT NULL CHECK (scope IN ('repo', 'org', 'server')),
    owner_id   INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE runners (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT    NOT NULL,
    labels     TEXT    NOT NULL DEFAULT '[]',
    scope      TEXT    NOT NULL CHECK (scope IN ('repo', 'org', 'server')),
    owner_id   INTEGER NOT NULL,
    token_hash TEXT    NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);
CREATE INDEX runners_owner ON runners (scope, owner_id);

-- +goose Down
DROP TABLE runners;
DROP TABLE runner_registration_tokens;
