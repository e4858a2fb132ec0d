-- +goose Up
ALTER TABLE jobs ADD COLUMN outputs TEXT NOT NULL DEFAULT '{}';

-- +goose Down
ALTER TABLE jobs DROP COLUMN outputs;
