package sqlite

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/dispatchd/dispatchd"
)

const qInsertPart = `INSERT OR IGNORE INTO payload_parts (repo_id, hash, json) VALUES (?, ?, ?)`

type partKey struct {
	repoID int64
	hash   string
}

// partStore remembers parts known to be committed. Parts never change, so
// an entry is never stale; it spares the insert on write and the query on
// read.
type partStore struct {
	mu sync.RWMutex
	m  map[partKey][]byte
}

const maxKnownParts = 10000

func (p *partStore) get(k partKey) ([]byte, bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	b, ok := p.m[k]
	return b, ok
}

func (p *partStore) put(k partKey, b []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil || len(p.m) >= maxKnownParts {
		p.m = make(map[partKey][]byte)
	}
	p.m[k] = b
}

// splitPayload cuts e's parts out of its payload. spec lists where each
// goes back in the skeleton: "offset:hash,…".
func splitPayload(e *dispatchd.Event) (skeleton []byte, spec string, err error) {
	if len(e.Parts) == 0 {
		return e.Payload, "", nil
	}
	parts := slices.Clone(e.Parts)
	slices.SortFunc(parts, func(a, b dispatchd.PayloadPart) int { return a.Offset - b.Offset })
	var sk bytes.Buffer
	var sp strings.Builder
	at := 0
	for _, p := range parts {
		if p.Offset < at || p.Offset+p.Len > len(e.Payload) || p.Hash == "" || strings.ContainsAny(p.Hash, ":,") {
			return nil, "", fmt.Errorf("payload part %+v out of place", p)
		}
		sk.Write(e.Payload[at:p.Offset])
		if sp.Len() > 0 {
			sp.WriteByte(',')
		}
		sp.WriteString(strconv.Itoa(sk.Len()))
		sp.WriteByte(':')
		sp.WriteString(p.Hash)
		at = p.Offset + p.Len
	}
	sk.Write(e.Payload[at:])
	return sk.Bytes(), sp.String(), nil
}

// insertParts stores the parts the DB does not know to be stored already.
func (db *DB) insertParts(tx wtx, e *dispatchd.Event) error {
	for _, p := range e.Parts {
		if _, ok := db.parts.get(partKey{e.RepoID, p.Hash}); ok {
			continue
		}
		if _, err := tx.exec(qInsertPart, e.RepoID, p.Hash, e.Payload[p.Offset:p.Offset+p.Len]); err != nil {
			return err
		}
	}
	return nil
}

// partsCommitted records e's parts once the transaction that stored them
// committed; before, a rolled-back batch could lose them.
func (db *DB) partsCommitted(e *dispatchd.Event) {
	for _, p := range e.Parts {
		k := partKey{e.RepoID, p.Hash}
		if _, ok := db.parts.get(k); !ok {
			db.parts.put(k, bytes.Clone(e.Payload[p.Offset:p.Offset+p.Len]))
		}
	}
}

// joinPayload puts the parts named by spec back into e.Payload.
func (db *DB) joinPayload(ctx context.Context, e *dispatchd.Event, spec string) error {
	if spec == "" {
		return nil
	}
	var out bytes.Buffer
	at := 0
	for _, item := range strings.Split(spec, ",") {
		off, hash, _ := strings.Cut(item, ":")
		n, err := strconv.Atoi(off)
		if err != nil || n < at || n > len(e.Payload) {
			return fmt.Errorf("event %d: bad payload part %q", e.ID, item)
		}
		part, err := db.part(ctx, partKey{e.RepoID, hash})
		if err != nil {
			return fmt.Errorf("event %d: payload part %s: %w", e.ID, hash, err)
		}
		out.Write(e.Payload[at:n])
		out.Write(part)
		at = n
	}
	out.Write(e.Payload[at:])
	e.Payload = out.Bytes()
	return nil
}

func (db *DB) part(ctx context.Context, k partKey) ([]byte, error) {
	if b, ok := db.parts.get(k); ok {
		return b, nil
	}
	var b []byte
	if err := db.queryRow(ctx, `SELECT json FROM payload_parts WHERE repo_id = ? AND hash = ?`, k.repoID, k.hash).Scan(&b); err != nil {
		return nil, err
	}
	db.parts.put(k, b)
	return b, nil
}
