# vcenrich. `make demo` runs the product offline end to end; `make test` runs
# every test. Both build what they need first, the Temporal dev server
# included (once per machine, cached outside the clone).

GO        ?= go
BIN       := bin
COMMANDS  := worker server starter demosites
TEMPORAL  := temporal-dev/dev.sh

.PHONY: all build temporal demo up down down-all status test test-unit lint workflowcheck vet fmt clean record-histories chaos bench bench-headline eval eval-emails cluster cluster-down test-cluster

all: build

build:
	@mkdir -p $(BIN)
	$(GO) build -o $(BIN)/worker ./worker
	$(GO) build -o $(BIN)/server ./server
	$(GO) build -o $(BIN)/starter ./starter
	$(GO) build -o $(BIN)/demosites ./cmd/demosites

## temporal: build the Temporal CLI (dev server + Web UI) from source, once per machine
temporal:
	@$(TEMPORAL) build

## demo: dev server, demo sites, worker and server, then the sample spreadsheet enriched end to end
demo: build temporal
	@scripts/demo.sh

## up / down: the local services in the background (logs in data/logs)
up: build temporal
	@scripts/services.sh up
down:
	@scripts/services.sh down
down-all:
	@scripts/services.sh down-all
status:
	@scripts/services.sh status

## test: every test, unit and integration, plus vet, workflowcheck and gofmt
test: temporal lint
	VCENRICH_TEMPORAL_BIN="$$($(TEMPORAL) path)" VCENRICH_TEST_ARTIFACTS="$(CURDIR)/data/test-artifacts" $(GO) test -count=1 ./...

test-unit:
	$(GO) test -count=1 -short ./...

lint: vet workflowcheck
	@unformatted="$$(gofmt -l $$(git ls-files '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change these files (make fmt):"; echo "$$unformatted"; exit 1; fi

vet:
	$(GO) vet ./...

## record-histories: record workflow histories from real runs for the replay tests
## (after a versioned workflow change, first move the current ones into a folder
## named for the change: the replay test replays both)
record-histories: temporal
	rm -f workflows/testdata/histories/*.json
	VCENRICH_RECORD_HISTORIES="$(CURDIR)/workflows/testdata/histories" VCENRICH_TEMPORAL_BIN="$$($(TEMPORAL) path)" \
		$(GO) test -count=1 -run 'TestPauseAndResumeOnRealServer|TestCancelWritesPartialWorkbook|TestIdempotentStartAndRetryFailed|TestWatchRefreshesAndSaysWhatChanged' ./app/

## cluster / cluster-down: a real Temporal server (built from source) on PostgreSQL
cluster: temporal
	@temporal-dev/cluster/cluster.sh start
cluster-down:
	@temporal-dev/cluster/cluster.sh stop

## test-cluster: the integration and chaos tests against that cluster, each test in a namespace of its own
## (the chaos tests kill and restart the cluster's Temporal server, so they run after the others)
test-cluster: cluster
	VCENRICH_TEST_TEMPORAL="$$(temporal-dev/cluster/cluster.sh address)" VCENRICH_TEMPORAL_BIN="$$($(TEMPORAL) path)" \
		$(GO) test -count=1 ./app/ ./workflows/
	VCENRICH_TEST_TEMPORAL="$$(temporal-dev/cluster/cluster.sh address)" VCENRICH_TEMPORAL_BIN="$$($(TEMPORAL) path)" \
		VCENRICH_TEST_TEMPORAL_CTL="$(CURDIR)/temporal-dev/cluster/cluster.sh" $(GO) test -count=1 ./chaos/

## eval: the engine's accuracy on real firm pages written by others (no services; seconds).
## EVAL_PAGES lists the folders of pages with ground truth; add your own beside the shared set.
EVAL_PAGES ?= ../shared/realpages/pages
eval:
	$(GO) run ./cmd/eval $(EVAL_FLAGS) $(EVAL_PAGES)

## eval-emails: the email-pattern learner on real pages that show several members' addresses
## (EMAIL_PAGES: folders of NNN-name.json with the page's domain and its people's names and addresses)
eval-emails:
	@test -n "$(EMAIL_PAGES)" || { echo "make eval-emails EMAIL_PAGES=DIR: DIR holds the pages' ground truth"; exit 2; }
	$(GO) run ./cmd/evalemails $(EMAIL_PAGES)

## bench: throughput, durability overhead, memory, recovery and rendering script-built sites on a simulated web (see README, Performance)
## (the headline first: real-web latency, 1,024 firms in flight, jobs in slices; then the 200 ms scenario, 50,000 firms and script-built sites)
HEADLINE := -firms 7547 -big 0 -latency 1s -jitter 500ms -slow-rate 0.05 -slow-latency 5s -window 1024 -pairs 3 -rendered-firms 0
bench: build temporal
	$(GO) run ./bench $(HEADLINE) -out bench/results/headline.json -md bench/results/headline.md
	$(GO) run ./bench -firms 7547 -big 50000 -rendered-firms 400 -rendered-share 0.1 -out bench/results/latest.json -md bench/results/latest.md

## bench-headline: only the headline scenario (about 10 minutes: three pairs and the recovery)
bench-headline: build temporal
	$(GO) run ./bench $(HEADLINE) -out bench/results/headline.json -md bench/results/headline.md

## chaos: kill and restart real processes mid-job; hostile uploads and websites (~3 min; also part of make test)
chaos: temporal
	VCENRICH_TEMPORAL_BIN="$$($(TEMPORAL) path)" $(GO) test -count=1 -v ./chaos/

## workflowcheck: static check that workflow code is deterministic
workflowcheck:
	$(GO) tool workflowcheck ./workflows/...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf $(BIN)
