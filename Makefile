# Magpie — the two commands: `make run` starts it, `make test` tests it.
GO        ?= go
BIN       := bin/magpie
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X main.version=$(VERSION)
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Modules go.mod replaces with a patched copy under third_party/ (their own
# modules, which ./... leaves out): linted by import path.
FORKS     := charm.land/bubbletea/v2
# Which server-backed suites ran is collected here by internal/testenv.
TESTENV_REPORT := $(CURDIR)/.cache/testenv-report.txt

.PHONY: all build run test test-deps bench lint clean

all: build

build:
	$(GO) build -ldflags '$(LDFLAGS)' -o $(BIN) .

# Starts Magpie with the arguments in ARGS, e.g. make run ARGS='account list'.
run: build
	./$(BIN) $(ARGS)

# Starts Magpie on sample mailboxes served in-process on 127.0.0.1, with a
# throwaway config and store removed on exit: no network, no keyring.
.PHONY: demo
demo: build
	./$(BIN) --demo

# Installs the real test peers (Dovecot, Postfix, Radicale, Xandikos,
# gnome-keyring…) from Debian packages when missing, then runs every test.
test: test-deps
	@mkdir -p $(dir $(TESTENV_REPORT)) && rm -f $(TESTENV_REPORT)
	MAGPIE_TESTENV_REPORT=$(TESTENV_REPORT) $(GO) test -count=1 -timeout 14m ./...
	@echo "Server-backed suites that ran:"
	@if [ -s $(TESTENV_REPORT) ]; then sort -u $(TESTENV_REPORT) | sed 's/^/  /'; else echo "  none"; fi

test-deps:
	@bash scripts/test-deps.sh

# Go micro-benchmarks, then the sync comparison with mbsync on a loopback
# Dovecot (BENCH_MESSAGES, default 10000), which updates its own sections of
# docs/benchmarks.md, then the migration comparison with mbsync and dsync, then
# the terminal app against aerc and neomutt, then the calendar sync against
# vdirsyncer on a loopback Radicale (each in its own section there).
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	bash scripts/bench-sync.sh
	bash scripts/bench-migrate.sh
	bash scripts/bench-tui.sh
	bash scripts/bench-calendar.sh

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./... $(FORKS)
	$(GO) run $(STATICCHECK) ./... $(FORKS)

clean:
	rm -rf bin .cache
