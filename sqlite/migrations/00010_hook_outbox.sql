-- +goose Up
-- Deliveries enqueued by an event or a state change wait here, all of one
-- write in one row, until the deliverer moves them into hook_deliveries
-- as its hooks need more: a dispatch pays for one small row without
-- indexes instead of one indexed row per hook and per run and job it
-- creates. Rows are taken in id order, which keeps each hook's deliveries
-- in order of creation. hooks lists the row's hook ids: ",1,5,".
CREATE TABLE hook_outbox (
    id         INTEGER PRIMARY KEY,
    repo_id    INTEGER NOT NULL,
    hooks      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    deliveries BLOB    NOT NULL
);

-- +goose Down
DROP TABLE hook_outbox;
