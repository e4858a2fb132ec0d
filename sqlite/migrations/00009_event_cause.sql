-- +goose Up
-- What caused an event: a person (0), or a run whose job dispatched it
-- with its GITHUB_TOKEN or with a token held among its secrets. depth
-- counts the dispatches of a chain, to stop loops.
ALTER TABLE events ADD COLUMN cause_run_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN cause_repo_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN cause_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE events ADD COLUMN depth INTEGER NOT NULL DEFAULT 0;
CREATE INDEX events_cause ON events (cause_run_id) WHERE cause_run_id <> 0;

-- +goose Down
DROP INDEX events_cause;
ALTER TABLE events DROP COLUMN depth;
ALTER TABLE events DROP COLUMN cause_kind;
ALTER TABLE events DROP COLUMN cause_repo_id;
ALTER TABLE events DROP COLUMN cause_run_id;
