-- +goose Up
CREATE TABLE secrets (
    scope      TEXT    NOT NULL CHECK (scope IN ('repo', 'org')),
    owner_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    sealed     BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, owner_id, name)
);

CREATE TABLE variables (
    scope      TEXT    NOT NULL CHECK (scope IN ('repo', 'org')),
    owner_id   INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope, owner_id, name)
);

-- +goose Down
DROP TABLE variables;
DROP TABLE secrets;
