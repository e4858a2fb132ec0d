-- +goose Up
-- Keys older than their window are deleted by age (see janitor.go).
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created;
