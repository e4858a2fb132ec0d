# The two commands of the quick start are `make run` and `make test`.
GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT  ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
LDFLAGS := -X github.com/dispatchd/dispatchd.Version=$(VERSION) -X github.com/dispatchd/dispatchd.GitCommit=$(COMMIT)
FUZZTIME ?= 30s

.PHONY: build run test vet fuzz bench clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o bin/dispatchd ./cmd/dispatchd

# Starts the server on 127.0.0.1:8080 with its data in ./dispatchd-data.
run: build
	./bin/dispatchd serve

vet:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

# Every test: unit, store conformance, expression and workflow conformance,
# end-to-end against the real binary, git and HTTP on loopback.
test: vet e2e/octokit/node_modules
	$(GO) test -count=1 -timeout 20m ./...

# @octokit/rest for the client compatibility test, pinned by the lock file.
e2e/octokit/node_modules: e2e/octokit/package.json e2e/octokit/package-lock.json
	@command -v npm >/dev/null || { echo "make test needs node and npm for the @octokit/rest compatibility test"; exit 1; }
	cd e2e/octokit && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Short runs of every fuzz target (their seed corpora also run in `make test`).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

clean:
	rm -rf bin
