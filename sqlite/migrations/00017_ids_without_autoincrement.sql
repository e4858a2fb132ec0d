-- +goose NO TRANSACTION
-- +goose Up
-- Events, runs and jobs lose AUTOINCREMENT: it read and rewrote their
-- sqlite_sequence row at every insert, three times a dispatch, ~7 µs (10 %)
-- of the writer's time a dispatch. The store hands out their ids instead
-- (ids.go): one past the largest in the table or in id_floors, which the
-- triggers below keep at the largest id ever deleted, so that, as with
-- AUTOINCREMENT, an id is never given twice.
--
-- SQLite cannot drop AUTOINCREMENT in place: each table is rebuilt (its
-- documented twelve-step procedure). Foreign keys must be off while the old
-- tables are dropped (with them on, dropping runs would first delete every
-- job through ON DELETE CASCADE), and that pragma has no effect inside a
-- transaction, hence NO TRANSACTION and the explicit one.
PRAGMA foreign_keys = OFF;
BEGIN;

CREATE TABLE id_floors (
    name  TEXT    PRIMARY KEY,
    floor INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO id_floors (name, floor)
    SELECT name, seq FROM sqlite_sequence WHERE name IN ('events', 'runs', 'jobs');

CREATE TABLE events_new (
    id            INTEGER PRIMARY KEY,
    repo_id       INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    action        TEXT    NOT NULL DEFAULT '',
    ref           TEXT    NOT NULL,
    sha           TEXT    NOT NULL,
    workflow_id   INTEGER NOT NULL DEFAULT 0,
    actor_id      INTEGER NOT NULL,
    payload       BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    parts         TEXT    NOT NULL DEFAULT '',
    cause_run_id  INTEGER NOT NULL DEFAULT 0,
    cause_repo_id INTEGER NOT NULL DEFAULT 0,
    cause_kind    TEXT    NOT NULL DEFAULT '',
    depth         INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_repo ON events (repo_id, id);
CREATE INDEX events_cause ON events (cause_run_id) WHERE cause_run_id <> 0;

CREATE TABLE runs_new (
    id                  INTEGER PRIMARY KEY,
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
INSERT INTO runs_new SELECT * FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_repo ON runs (repo_id, id);
CREATE INDEX runs_workflow ON runs (workflow_id, id);
CREATE INDEX runs_event ON runs (event_id);
CREATE INDEX runs_status ON runs (status) WHERE status <> 'completed';
CREATE INDEX runs_grouped ON runs (repo_id, lower(concurrency_group), id)
    WHERE status <> 'completed' AND concurrency_group <> '';

CREATE TABLE jobs_new (
    id           INTEGER PRIMARY KEY,
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
    runner_name  TEXT    NOT NULL DEFAULT '',
    leg_index    INTEGER NOT NULL DEFAULT 0,
    steps        TEXT    NOT NULL DEFAULT '[]',
    outputs      TEXT    NOT NULL DEFAULT '{}'
);
INSERT INTO jobs_new SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_run ON jobs (run_id, run_attempt, id);
CREATE INDEX jobs_in_progress ON jobs (run_id) WHERE status = 'in_progress';

-- A deleted row raises its table's floor when it was the largest: rows go
-- by foreign-key cascades too, which fire these.
-- +goose StatementBegin
CREATE TRIGGER events_floor AFTER DELETE ON events
WHEN old.id > coalesce((SELECT max(id) FROM events), 0)
BEGIN
    INSERT INTO id_floors (name, floor) VALUES ('events', old.id)
        ON CONFLICT (name) DO UPDATE SET floor = max(floor, excluded.floor);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER runs_floor AFTER DELETE ON runs
WHEN old.id > coalesce((SELECT max(id) FROM runs), 0)
BEGIN
    INSERT INTO id_floors (name, floor) VALUES ('runs', old.id)
        ON CONFLICT (name) DO UPDATE SET floor = max(floor, excluded.floor);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER jobs_floor AFTER DELETE ON jobs
WHEN old.id > coalesce((SELECT max(id) FROM jobs), 0)
BEGIN
    INSERT INTO id_floors (name, floor) VALUES ('jobs', old.id)
        ON CONFLICT (name) DO UPDATE SET floor = max(floor, excluded.floor);
END;
-- +goose StatementEnd

COMMIT;
PRAGMA foreign_keys = ON;

-- +goose Down
PRAGMA foreign_keys = OFF;
BEGIN;
DROP TRIGGER events_floor;
DROP TRIGGER runs_floor;
DROP TRIGGER jobs_floor;

CREATE TABLE events_new (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    repo_id       INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL,
    action        TEXT    NOT NULL DEFAULT '',
    ref           TEXT    NOT NULL,
    sha           TEXT    NOT NULL,
    workflow_id   INTEGER NOT NULL DEFAULT 0,
    actor_id      INTEGER NOT NULL,
    payload       BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    parts         TEXT    NOT NULL DEFAULT '',
    cause_run_id  INTEGER NOT NULL DEFAULT 0,
    cause_repo_id INTEGER NOT NULL DEFAULT 0,
    cause_kind    TEXT    NOT NULL DEFAULT '',
    depth         INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
CREATE INDEX events_repo ON events (repo_id, id);
CREATE INDEX events_cause ON events (cause_run_id) WHERE cause_run_id <> 0;

CREATE TABLE runs_new (
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
INSERT INTO runs_new SELECT * FROM runs;
DROP TABLE runs;
ALTER TABLE runs_new RENAME TO runs;
CREATE INDEX runs_repo ON runs (repo_id, id);
CREATE INDEX runs_workflow ON runs (workflow_id, id);
CREATE INDEX runs_event ON runs (event_id);
CREATE INDEX runs_status ON runs (status) WHERE status <> 'completed';
CREATE INDEX runs_grouped ON runs (repo_id, lower(concurrency_group), id)
    WHERE status <> 'completed' AND concurrency_group <> '';

CREATE TABLE jobs_new (
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
    runner_name  TEXT    NOT NULL DEFAULT '',
    leg_index    INTEGER NOT NULL DEFAULT 0,
    steps        TEXT    NOT NULL DEFAULT '[]',
    outputs      TEXT    NOT NULL DEFAULT '{}'
);
INSERT INTO jobs_new SELECT * FROM jobs;
DROP TABLE jobs;
ALTER TABLE jobs_new RENAME TO jobs;
CREATE INDEX jobs_run ON jobs (run_id, run_attempt, id);
CREATE INDEX jobs_in_progress ON jobs (run_id) WHERE status = 'in_progress';

-- AUTOINCREMENT starts past the largest id the floors or the tables hold.
DELETE FROM sqlite_sequence WHERE name IN ('events', 'runs', 'jobs');
INSERT INTO sqlite_sequence (name, seq)
    SELECT 'events', max(coalesce((SELECT max(id) FROM events), 0), coalesce((SELECT floor FROM id_floors WHERE name = 'events'), 0))
    UNION ALL
    SELECT 'runs', max(coalesce((SELECT max(id) FROM runs), 0), coalesce((SELECT floor FROM id_floors WHERE name = 'runs'), 0))
    UNION ALL
    SELECT 'jobs', max(coalesce((SELECT max(id) FROM jobs), 0), coalesce((SELECT floor FROM id_floors WHERE name = 'jobs'), 0));
DROP TABLE id_floors;

COMMIT;
PRAGMA foreign_keys = ON;
