-- +goose Up
ALTER TABLE workflows ADD COLUMN run_counter INTEGER NOT NULL DEFAULT 0;

ALTER TABLE indexed_commits ADD COLUMN tree_sha TEXT NOT NULL DEFAULT '';
ALTER TABLE indexed_commits ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE indexed_commits ADD COLUMN author_name TEXT NOT NULL DEFAULT '';
ALTER TABLE indexed_commits ADD COLUMN author_email TEXT NOT NULL DEFAULT '';
ALTER TABLE indexed_commits ADD COLUMN committer_name TEXT NOT NULL DEFAULT '';
ALTER TABLE indexed_commits ADD COLUMN committer_email TEXT NOT NULL DEFAULT '';
ALTER TABLE indexed_commits ADD COLUMN committed_at INTEGER;

CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id     INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL,
    action      TEXT    NOT NULL DEFAULT '',
    ref         TEXT    NOT NULL,
    sha         TEXT    NOT NULL,
    workflow_id INTEGER NOT NULL DEFAULT 0,
    actor_id    INTEGER NOT NULL,
    payload     BLOB    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX events_repo ON events (repo_id, id);

CREATE TABLE runs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id             INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    workflow_id         INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    event_id            INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    display_title       TEXT    NOT NULL,
    path                TEXT    NOT NULL,
    run_number          INTEGER NOT NULL,
    run_attempt         INTEGER NOT NULL DEFAULT 1,
    event               TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    conclusion          TEXT    NOT NULL DEFAULT '',
    head_branch         TEXT    NOT NULL,
    head_sha            TEXT    NOT NULL,
    actor_id            INTEGER NOT NULL,
    triggering_actor_id INTEGER NOT NULL,
    concurrency_group   TEXT    NOT NULL DEFAULT '',
    cancel_in_progress  INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    run_started_at      INTEGER
);
CREATE INDEX runs_repo ON runs (repo_id, id);
CREATE INDEX runs_workflow ON runs (workflow_id, id);
CREATE INDEX runs_event ON runs (event_id);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id       INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    repo_id      INTEGER NOT NULL,
    run_attempt  INTEGER NOT NULL,
    key          TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    needs        TEXT    NOT NULL DEFAULT '[]',
    labels       TEXT    NOT NULL DEFAULT '[]',
    status       TEXT    NOT NULL,
    conclusion   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    started_at   INTEGER,
    completed_at INTEGER,
    runner_id    INTEGER NOT NULL DEFAULT 0,
    runner_name  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX jobs_run ON jobs (run_id, run_attempt, id);
CREATE INDEX jobs_status ON jobs (status) WHERE status <> 'completed';

CREATE TABLE idempotency_keys (
    repo_id      INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    actor_id     INTEGER NOT NULL,
    key          TEXT    NOT NULL,
    request_hash TEXT    NOT NULL,
    status       INTEGER NOT NULL,
    body         BLOB    NOT NULL,
    event_id     INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (repo_id, actor_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE jobs;
DROP TABLE runs;
DROP TABLE events;
