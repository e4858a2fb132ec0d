-- +goose Up
-- Every dispatch to a repository repeats the same repository and sender
-- objects (about 5 KB): events keep them once, by hash, and the payload
-- column keeps the rest with the offsets where they go back in.
ALTER TABLE events ADD COLUMN parts TEXT NOT NULL DEFAULT '';

CREATE TABLE payload_parts (
    repo_id INTEGER NOT NULL REFERENCES repos (id) ON DELETE CASCADE,
    hash    TEXT    NOT NULL,
    json    BLOB    NOT NULL,
    PRIMARY KEY (repo_id, hash)
) WITHOUT ROWID;

-- +goose Down
DROP TABLE payload_parts;
ALTER TABLE events DROP COLUMN parts;
