-- +goose Up
-- The live runs that have a concurrency group, by group. The scheduler asks
-- at every claim which queued runs a newer one of their group replaces and
-- whether a group has a run going; it used to read every queued run for
-- that, so a backlog of runs waiting for runners cost every claim its
-- length (40 % of the server's CPU with 100,000 runs queued). A group holds
-- at most a run going and one pending, so these entries stay few.
CREATE INDEX runs_grouped ON runs (repo_id, lower(concurrency_group), id)
	WHERE status <> 'completed' AND concurrency_group <> '';

-- +goose Down
DROP INDEX runs_grouped;
