-- +goose Up
ALTER TABLE jobs ADD COLUMN leg_index INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';

CREATE INDEX runs_status ON runs (status) WHERE status <> 'completed';

-- Log lines of a job, in order, with the step they belong to.
CREATE TABLE log_lines (
    job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    step   INTEGER NOT NULL,
    at     INTEGER NOT NULL,
    line   TEXT    NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- +goose Down
DROP TABLE log_lines;
DROP INDEX runs_status;
