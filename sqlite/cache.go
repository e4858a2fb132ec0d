package sqlite

import (
	"sync"
	"time"

	"github.com/dispatchd/dispatchd"
)

// readTTL bounds how long a cached read may lag a write made by another
// process on the same database (the admin commands); writes made through
// this DB purge the affected cache at once.
const readTTL = time.Second

// readCache keeps the results of the reads every API request makes (the
// token, the repository, the default branch head) so that the dispatch hot
// path does not pay a SQLite query for each. Each kind of value has its own
// cache, purged only by the writes that change that kind.
type readCache[K comparable, V any] struct {
	mu  sync.RWMutex // read by every request; written on misses and purges
	m   map[K]cached[V]
	gen uint64 // bumped by every purge
	max int
}

type cached[V any] struct {
	v       V
	expires time.Time
}

func newReadCache[K comparable, V any](max int) *readCache[K, V] {
	return &readCache[K, V]{m: make(map[K]cached[V]), max: max}
}

// get returns the value when it is fresh, and the generation a caller that
// misses must pass to put.
func (c *readCache[K, V]) get(k K) (v V, ok bool, gen uint64) {
	now := time.Now()
	c.mu.RLock()
	defer c.mu.RUnlock()
	e, ok := c.m[k]
	if ok && now.Before(e.expires) {
		return e.v, true, c.gen
	}
	return v, false, c.gen
}

// put stores v unless a purge happened since the read that produced it
// began: that read may have seen the state before the purging write.
func (c *readCache[K, V]) put(k K, v V, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if len(c.m) >= c.max {
		clear(c.m) // rare: more distinct keys than a server sees in a second
	}
	c.m[k] = cached[V]{v: v, expires: time.Now().Add(readTTL)}
}

// purge forgets every entry.
func (c *readCache[K, V]) purge() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.m)
}

// caches are the DB's read caches.
type caches struct {
	tokens   *readCache[string, tokenEntry] // by hash
	repos    *readCache[repoKey, repoEntry]
	repoIDs  *readCache[int64, repoEntry] // the same repositories by id
	refs     *readCache[refKey, string]
	disabled *readCache[int64, []int64]      // disabled workflow ids by repo
	hooks    *readCache[int64, []hookTarget] // active hooks of a repository and its organization, by repo
}

type repoKey struct{ owner, name string }

// Entries are values, copied out on every hit, so that no caller can
// change what another one gets.
type (
	tokenEntry struct {
		t dispatchd.Token
		u dispatchd.User
	}
	repoEntry = dispatchd.Repo
)

func (e tokenEntry) token() *dispatchd.Token {
	t, u := e.t, e.u
	t.User = &u
	return &t
}

type refKey struct {
	repoID int64
	name   string
}

func (c caches) purgeAll() {
	c.tokens.purge()
	c.purgeRepos()
	c.refs.purge()
	c.disabled.purge()
	c.hooks.purge()
}

func (c caches) purgeRepos() {
	c.repos.purge()
	c.repoIDs.purge()
}

func newCaches() caches {
	return caches{
		tokens:   newReadCache[string, tokenEntry](4096),
		repos:    newReadCache[repoKey, repoEntry](4096),
		repoIDs:  newReadCache[int64, repoEntry](4096),
		refs:     newReadCache[refKey, string](4096),
		disabled: newReadCache[int64, []int64](4096),
		hooks:    newReadCache[int64, []hookTarget](4096),
	}
}
