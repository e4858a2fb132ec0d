package dispatch

import "sync"

// cache is a bounded map for immutable values (keyed by content or commit),
// so entries are never stale; when full, an arbitrary entry makes room.
type cache[K comparable, V any] struct {
	mu  sync.RWMutex
	m   map[K]V
	max int
}

func newCache[K comparable, V any](max int) cache[K, V] {
	return cache[K, V]{m: make(map[K]V), max: max}
}

func (c *cache[K, V]) get(k K) (V, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *cache[K, V]) put(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		for old := range c.m {
			delete(c.m, old)
			break
		}
	}
	c.m[k] = v
}
