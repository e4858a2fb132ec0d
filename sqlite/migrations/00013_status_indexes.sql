-- +goose Up
-- The scheduler finds in-progress jobs only when the server starts, and
-- finds them by this index. Every job used to enter the old index when it was
-- queued, which every dispatch paid for in its commit; now only a job that
-- starts enters it, and leaves it when it ends.
DROP INDEX jobs_status;
CREATE INDEX jobs_in_progress ON jobs (run_id) WHERE status = 'in_progress';

-- +goose Down
DROP INDEX jobs_in_progress;
CREATE INDEX jobs_status ON jobs (status) WHERE status <> 'completed';
