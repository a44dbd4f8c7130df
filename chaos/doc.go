// Package chaos proves, with real processes, that vcenrich loses nothing and
// duplicates nothing: the Temporal dev server, the worker and the server run
// as separate binaries that the tests kill with SIGKILL, stop with SIGTERM
// and restart, while a job of firms on an in-test web server runs to the end.
// It also throws hostile uploads and hostile websites at a running stack.
//
// The package holds only tests. They need the dev server binary, like every
// integration test: `make test` sets VCENRICH_TEMPORAL_BIN; by hand,
//
//	VCENRICH_TEMPORAL_BIN=$(temporal-dev/dev.sh path) go test -count=1 -v ./chaos/
//
// The measured figures are logged in lines starting with "RELIABILITY".
package chaos
