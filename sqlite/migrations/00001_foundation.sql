-- +goose Up
CREATE TABLE users (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    login       TEXT    NOT NULL,
    lower_login TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL CHECK (type IN ('User', 'Organization')),
    site_admin  INTEGER NOT NULL DEFAULT 0,
    name        TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE org_members (
    org_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT    NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (org_id, user_id)
);

CREATE TABLE repos (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id       INTEGER NOT NULL REFERENCES users (id),
    name           TEXT    NOT NULL,
    lower_name     TEXT    NOT NULL,
    description    TEXT    NOT NULL DEFAULT '',
    private        INTEGER NOT NULL,
    default_branch TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    pushed_at      INTEGER,
    UNIQUE (owner_id, lower_name)
);

CREATE TABLE collaborators (
    repo_id INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role    TEXT    NOT NULL CHECK (role IN ('read', 'write', 'admin')),
    PRIMARY KEY (repo_id, user_id)
);

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('classic', 'fine_grained')),
    name       TEXT    NOT NULL DEFAULT '',
    hash       TEXT    NOT NULL UNIQUE,
    hint       TEXT    NOT NULL,
    scopes     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER
);

CREATE TABLE token_repos (
    token_id    INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
    repo_id     INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    permissions TEXT    NOT NULL,
    PRIMARY KEY (token_id, repo_id)
);

CREATE TABLE refs (
    repo_id INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    name    TEXT    NOT NULL,
    sha     TEXT    NOT NULL,
    PRIMARY KEY (repo_id, name)
);

CREATE TABLE workflows (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id    INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    path       TEXT    NOT NULL,
    name       TEXT    NOT NULL,
    disabled   INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (repo_id, path)
);

-- A commit is recorded once its workflow files were read, even when it has none.
CREATE TABLE indexed_commits (
    repo_id INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    sha     TEXT    NOT NULL,
    PRIMARY KEY (repo_id, sha)
);

-- One row per distinct file content: most pushes do not change workflows.
CREATE TABLE workflow_blobs (
    repo_id  INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    blob_sha TEXT    NOT NULL,
    summary  TEXT    NOT NULL,
    source   BLOB    NOT NULL,
    PRIMARY KEY (repo_id, blob_sha)
);

CREATE TABLE workflow_files (
    repo_id     INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    commit_sha  TEXT    NOT NULL,
    path        TEXT    NOT NULL,
    blob_sha    TEXT    NOT NULL,
    workflow_id INTEGER NOT NULL REFERENCES workflows (id) ON DELETE CASCADE,
    PRIMARY KEY (repo_id, commit_sha, path)
);

-- +goose Down
DROP TABLE workflow_files;
DROP TABLE workflow_blobs;
DROP TABLE indexed_commits;
DROP TABLE workflows;
DROP TABLE refs;
DROP TABLE token_repos;
DROP TABLE tokens;
DROP TABLE collaborators;
DROP TABLE repos;
DROP TABLE org_members;
DROP TABLE users;
