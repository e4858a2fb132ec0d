package expr

import (
	"strings"
	"sync"
)

// templates keeps parsed templates by their text: a workflow's run-name,
// concurrency group and job names are evaluated at every dispatch from the
// same few strings, and parsing one took 7 µs of a dispatch. The text is
// the key, so nothing ever needs invalidating; when full it starts over.
var templates = templateCache{max: 1024, maxLen: 4096}

type templateCache struct {
	mu     sync.RWMutex
	m      map[string]*Expr
	max    int // entries
	maxLen int // longer texts are parsed each time
}

func (c *templateCache) parse(s string) (*Expr, error) {
	cacheable := len(s) <= c.maxLen && strings.Contains(s, "${{")
	if cacheable {
		c.mu.RLock()
		e := c.m[s]
		c.mu.RUnlock()
		if e != nil {
			return e, nil
		}
	}
	e, err := ParseTemplate(s)
	if err != nil || !cacheable {
		return e, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]*Expr, c.max)
	}
	c.m[s] = e
	c.mu.Unlock()
	return e, nil
}
