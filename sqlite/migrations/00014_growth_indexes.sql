-- +goose Up
-- Pruning finished deliveries read every delivery kept (payloads,
-- responses) in the writer; it now finds them by this index, which holds a
-- delivery from the attempt that finishes it. Its condition is the prune's,
-- word for word: SQLite uses a partial index only then.
CREATE INDEX hook_deliveries_done ON hook_deliveries (created_at) WHERE state <> 'pending';

-- Deleting a workflow (a repository's, with it) looks for its files by
-- workflow_id, the foreign key: without an index, a scan of every
-- repository's workflow files for each of the workflows.
CREATE INDEX workflow_files_workflow ON workflow_files (workflow_id);

-- +goose Down
DROP INDEX workflow_files_workflow;
DROP INDEX hook_deliveries_done;
