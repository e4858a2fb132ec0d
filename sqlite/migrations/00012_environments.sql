-- +goose Up
-- Deployment environments. lower_name makes names unique per repository
-- case-insensitively (lowered in Go: SQLite's lower() is ASCII only).
CREATE TABLE environments (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id             INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    name                TEXT    NOT NULL,
    lower_name          TEXT    NOT NULL,
    wait_timer          INTEGER NOT NULL DEFAULT 0,
    prevent_self_review INTEGER NOT NULL DEFAULT 0,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (repo_id, lower_name)
);

-- The users who may approve; position keeps the order they were given in.
CREATE TABLE environment_reviewers (
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (environment_id, user_id)
);

-- A job held by its environment's protection rules: durable, so that a
-- restart resumes the wait with its start (the wait timer's) and review.
-- Deleting the environment deletes the wait: its rules no longer hold.
CREATE TABLE pending_deployments (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id        INTEGER NOT NULL,
    run_id         INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    job_id         INTEGER NOT NULL UNIQUE REFERENCES jobs (id) ON DELETE CASCADE,
    environment_id INTEGER NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    state          TEXT    NOT NULL CHECK (state IN ('waiting', 'approved', 'rejected')),
    started_at     INTEGER NOT NULL,
    reviewer_id    INTEGER NOT NULL DEFAULT 0,
    comment        TEXT    NOT NULL DEFAULT '',
    reviewed_at    INTEGER
);
CREATE INDEX pending_deployments_run ON pending_deployments (run_id);
CREATE INDEX pending_deployments_environment ON pending_deployments (environment_id);

-- +goose Down
DROP TABLE pending_deployments;
DROP TABLE environment_reviewers;
DROP TABLE environments;
