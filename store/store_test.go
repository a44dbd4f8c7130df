package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
	"github.com/vcenrich/vcenrich/store"
)

// backends are the store URLs the tests run against: the embedded default
// (files) and object storage through the S3 API, here a fake S3 server on
// loopback, so the multi-machine path is exercised end to end over HTTP.
func backends(t *testing.T) map[string]string {
	t.Helper()
	mem := s3mem.New()
	if err := mem.CreateBucket("vcenrich"); err != nil {
		t.Fatal(err)
	}
	s3 := httptest.NewServer(gofakes3.New(mem).Server())
	t.Cleanup(s3.Close)
	return map[string]string{
		"file": "file://" + filepath.ToSlash(t.TempDir()) + "?create_dir=true&no_tmp_dir=true&metadata=skip",
		"s3":   "s3://vcenrich?endpoint=" + s3.URL + "&region=us-east-1&use_path_style=true&anonymous=true",
	}
}

func firms(n int) []firm.Input {
	out := make([]firm.Input, n)
	for i := range out {
		out[i] = firm.Input{Index: i, Row: i + 2, Name: fmt.Sprintf("Firm %d", i), Website: fmt.Sprintf("https://f%d.vc/", i), Values: []string{fmt.Sprintf("Firm %d", i)}}
	}
	return out
}

func TestStore(t *testing.T) {
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Ping(ctx); err != nil {
				t.Fatal(err)
			}

			const total = 2*store.ChunkSize + 17 // three chunks, the last partial
			job := store.Job{ID: "job-1", Name: "List", Headers: []string{"Name"}, Total: total, Created: time.Now().UTC().Truncate(time.Second)}
			upload := []byte("the original bytes")
			if err := s.PutJob(ctx, job, upload, firms(total)); err != nil {
				t.Fatal(err)
			}
			got, err := s.Job(ctx, "job-1")
			if err != nil || got.Total != total || got.Name != "List" || !got.Created.Equal(job.Created) {
				t.Fatalf("Job = %+v, %v", got, err)
			}
			if b, err := s.Upload(ctx, "job-1"); err != nil || !bytes.Equal(b, upload) {
				t.Errorf("Upload = %q, %v", b, err)
			}
			for _, i := range []int{0, store.ChunkSize - 1, store.ChunkSize, total - 1} {
				f, err := s.Firm(ctx, "job-1", i)
				if err != nil || f.Index != i || f.Name != fmt.Sprintf("Firm %d", i) {
					t.Errorf("Firm(%d) = %+v, %v", i, f, err)
				}
			}
			for _, i := range []int{-1, total, total + store.ChunkSize} {
				if _, err := s.Firm(ctx, "job-1", i); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("Firm(%d) error %v, want not found", i, err)
				}
			}
			if _, err := s.Job(ctx, "job-missing"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("missing job: %v", err)
			}

			// A repeated activity overwrites its result: one key per firm.
			if _, ok, err := s.Result(ctx, "job-1", 5); ok || err != nil {
				t.Fatalf("result before any write: ok=%v err=%v", ok, err)
			}
			for _, team := range [][]firm.Member{{{Name: "A"}}, {{Name: "A"}, {Name: "B"}}} {
				if err := s.PutResult(ctx, "job-1", firm.Result{Index: 5, Status: firm.StatusOK, Team: team}); err != nil {
					t.Fatal(err)
				}
			}
			r, ok, err := s.Result(ctx, "job-1", 5)
			if !ok || err != nil || len(r.Team) != 2 {
				t.Errorf("Result = %+v ok=%v err=%v, want the second write", r, ok, err)
			}

			// A workbook shows a result only for the run that wrote it.
			if err := s.PutResult(ctx, "job-1", firm.Result{Index: 7, Run: "run-1", Status: firm.StatusOK}); err != nil {
				t.Fatal(err)
			}
			for run, want := range map[string]firm.Status{"run-1": firm.StatusOK, "run-2": firm.StatusPending} {
				in, res, err := s.RunResult(ctx, "job-1", run, 7)
				if err != nil || in.Index != 7 || res.Status != want {
					t.Errorf("RunResult(%s) = %+v, %+v, %v; want status %q", run, in, res, err, want)
				}
			}
			if _, res, err := s.RunResult(ctx, "job-1", "run-1", 8); err != nil || res.Status != firm.StatusPending {
				t.Errorf("firm with no result: %+v, %v", res, err)
			}

			// Notifications: once marked, a key reads as sent.
			if sent, err := s.Notified(ctx, "job-1/run-1/completed"); sent || err != nil {
				t.Fatalf("unsent notification: sent=%v err=%v", sent, err)
			}
			if err := s.MarkNotified(ctx, "job-1/run-1/completed"); err != nil {
				t.Fatal(err)
			}
			if sent, err := s.Notified(ctx, "job-1/run-1/completed"); !sent || err != nil {
				t.Fatalf("marked notification: sent=%v err=%v", sent, err)
			}

			// A failed export leaves no workbook behind; a good one is readable.
			boom := errors.New("disk full")
			err = s.PutWorkbook(ctx, "job-1", func(w io.Writer) error {
				_, _ = w.Write([]byte("half a workbook"))
				return boom
			})
			if !errors.Is(err, boom) {
				t.Fatalf("PutWorkbook error %v", err)
			}
			if _, _, _, err := s.Workbook(ctx, "job-1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("torn workbook visible: %v", err)
			}
			if err := s.PutWorkbook(ctx, "job-1", func(w io.Writer) error { _, err := w.Write([]byte("xlsx")); return err }); err != nil {
				t.Fatal(err)
			}
			rc, size, _, err := s.Workbook(ctx, "job-1")
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, _ := io.ReadAll(rc)
			if string(b) != "xlsx" || size != 4 {
				t.Errorf("workbook %q (size %d)", b, size)
			}
		})
	}
}

func TestPutJobRejectsMismatchedTotal(t *testing.T) {
	s, err := store.Open(context.Background(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.PutJob(context.Background(), store.Job{ID: "j", Total: 3}, nil, firms(2)); err == nil {
		t.Fatal("a job record claiming 3 firms over 2 was accepted")
	}
}

// Failed finds exactly the firms that failed in the run asked for: not a
// success, not a firm with no result yet, not a failure of an earlier run.
func TestFailed(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "mem://")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const total = store.ChunkSize + 3
	results := map[int]firm.Result{
		0:               {Run: "r2", Status: firm.StatusOK},
		1:               {Run: "r2", Status: firm.StatusFailed, Reason: "dns"},
		2:               {Run: "r1", Status: firm.StatusFailed, Reason: "dns"},
		3:               {Run: "r1", Status: firm.StatusOK},
		store.ChunkSize: {Run: "r2", Status: firm.StatusFailed, Reason: "timeout"},
	}
	for i, r := range results {
		r.Index = i
		if err := s.PutResult(ctx, "job", r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		run  string
		want []int
	}{
		{"r2", []int{1, store.ChunkSize}},
		{"r1", []int{2}},
		{"r3", nil},
	} {
		got, err := s.Failed(ctx, "job", tc.run, total)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("run %s: failed %v, want %v", tc.run, got, tc.want)
		}
	}
	// A retry job's firms are written by its workflow after its record.
	if err := s.PutJob(ctx, store.Job{ID: "retry"}, nil, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.PutFirms(ctx, "retry", firms(2)); err != nil {
		t.Fatal(err)
	}
	if f, err := s.Firm(ctx, "retry", 1); err != nil || f.Name != "Firm 1" {
		t.Errorf("firm 1 of the retry job: %+v, %v", f, err)
	}
}

// PutExport writes the workbook and its rows index in one pass; the index
// serves only the workbook it was written with.
func TestPutExport(t *testing.T) {
	export := func(names ...string) sheets.Export {
		return sheets.Export{InputHeaders: []string{"Name"}, Total: len(names), Summary: sheets.Summary{JobID: "job-1"},
			Load: func(i int) (firm.Input, firm.Result, error) {
				return firm.Input{Index: i, Name: names[i], Values: []string{names[i]}}, firm.Result{Index: i, Status: firm.StatusOK}, nil
			}}
	}
	page := func(t *testing.T, rows store.Rows) [][]string {
		t.Helper()
		sh, ok := rows.Sheet("Firms")
		if !ok {
			t.Fatalf("no Firms sheet in %q", rows.Names())
		}
		got, err := sh.Page(context.Background(), rows.Source(sh), 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for name, url := range backends(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, err := store.Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.PutExport(ctx, "job-1", export("Accel", "Société Générale")); err != nil {
				t.Fatal(err)
			}
			first, err := s.WorkbookInfo(ctx, "job-1")
			if err != nil {
				t.Fatal(err)
			}
			rows, err := s.Rows(ctx, "job-1", first)
			if err != nil {
				t.Fatal(err)
			}
			if got := page(t, rows); len(got) != 2 || got[1][0] != "Société Générale" {
				t.Errorf("Firms rows %q", got)
			}
			if want := []string{"Firms", "Team Members", "Portfolio Companies", "Pages", "Summary"}; fmt.Sprint(rows.Names()) != fmt.Sprint(want) {
				t.Errorf("sheets %q", rows.Names())
			}

			// A failed export leaves the workbook and its index as they were.
			failing := export("Accel")
			failing.Load = func(int) (firm.Input, firm.Result, error) {
				return firm.Input{}, firm.Result{}, errors.New("store down")
			}
			if err := s.PutExport(ctx, "job-1", failing); err == nil {
				t.Fatal("a failed export reported success")
			}
			if again, err := s.WorkbookInfo(ctx, "job-1"); err != nil || again != first {
				t.Fatalf("workbook after a failed export: %+v, %v", again, err)
			}
			if _, err := s.Rows(ctx, "job-1", first); err != nil {
				t.Errorf("index after a failed export: %v", err)
			}

			// A workbook written without an index has none, whatever an
			// earlier export left.
			if err := s.PutWorkbook(ctx, "job-1", func(w io.Writer) error { _, err := w.Write([]byte("older xlsx")); return err }); err != nil {
				t.Fatal(err)
			}
			bare, err := s.WorkbookInfo(ctx, "job-1")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Rows(ctx, "job-1", bare); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("index for a workbook written without one: %v", err)
			}

			// The next export replaces the index and removes the files of
			// the one before.
			if err := s.PutExport(ctx, "job-1", export("Index Ventures")); err != nil {
				t.Fatal(err)
			}
			latest, _ := s.WorkbookInfo(ctx, "job-1")
			next, err := s.Rows(ctx, "job-1", latest)
			if err != nil {
				t.Fatal(err)
			}
			if got := page(t, next); len(got) != 1 || got[0][0] != "Index Ventures" {
				t.Errorf("Firms rows after the next export %q", got)
			}
			sh, _ := rows.Sheet("Firms")
			if _, err := sh.Page(ctx, rows.Source(sh), 0, 10); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the earlier index's files are still there: %v", err)
			}
		})
	}
}

// A page of a 50,000-firm job's Firms sheet as the API reads a final
// workbook's: the rows index from the store, then one range read.
//
//	go test -run '^$' -bench RowsPage -benchmem ./store/
func BenchmarkRowsPage(b *testing.B) {
	const n = 50_000
	ctx := context.Background()
	s, err := store.Open(ctx, "file://"+filepath.ToSlash(b.TempDir())+"?create_dir=true&no_tmp_dir=true&metadata=skip")
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	err = s.PutExport(ctx, "job-1", sheets.Export{InputHeaders: []string{"Name", "Website"}, Total: n,
		Load: func(i int) (firm.Input, firm.Result, error) {
			name := fmt.Sprintf("Firm %d", i)
			return firm.Input{Index: i, Name: name, Values: []string{name, fmt.Sprintf("f%d.vc", i)}},
				firm.Result{Index: i, Status: firm.StatusOK, Team: []firm.Member{{Name: "Ada " + name, Title: "Partner"}}}, nil
		}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		wb, err := s.WorkbookInfo(ctx, "job-1")
		if err != nil {
			b.Fatal(err)
		}
		rows, err := s.Rows(ctx, "job-1", wb)
		if err != nil {
			b.Fatal(err)
		}
		sh, _ := rows.Sheet("Firms")
		page, err := sh.Page(ctx, rows.Source(sh), n/2, 50)
		if err != nil || len(page) != 50 {
			b.Fatalf("%d rows, %v", len(page), err)
		}
	}
}
