// Command eval measures the engine on real firm pages written by others:
// each page is served as a firm's website on loopback and enriched by the
// real engine (fetcher, discovery, extraction) with the product's settings,
// and the team found is scored against the page's ground truth. It needs no
// Temporal and no network.
//
//	go run ./cmd/eval [-v] [-csv rows.csv] [-min-precision P ...] DIR [DIR ...]
//
// Each DIR holds NNN-name.html pages with NNN-name.json ground truth (the
// format of the shared realpages set). The last line reads
// "precision P recall R titles T linkedin L not-team N duplicates D".
package main

import (
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/realpages"
)

func main() {
	verbose := flag.Bool("v", false, "list every miss, false positive, wrong title and wrong link")
	csvOut := flag.String("csv", "", "also write the extracted rows (page,name,title,linkedin) to this file, for the set's score.py")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: eval [-v] [-csv FILE] DIR [DIR ...]")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Args(), *verbose, *csvOut); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(dirs []string, verbose bool, csvOut string) error {
	pages, err := realpages.Load(dirs...)
	if err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	start := time.Now()
	outs, err := realpages.Run(context.Background(), cfg, pages, 8)
	if err != nil {
		return err
	}
	realpages.Write(os.Stdout, realpages.Scores(outs), verbose)
	fmt.Fprintf(os.Stderr, "eval: %d pages in %s\n", len(pages), time.Since(start).Round(time.Millisecond))
	if csvOut != "" {
		return writeCSV(csvOut, outs)
	}
	return nil
}

func writeCSV(name string, outs []realpages.Outcome) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"page", "name", "title", "linkedin"})
	for _, o := range outs {
		for _, r := range o.Rows {
			_ = w.Write([]string{r.Page, r.Name, r.Title, r.LinkedIn})
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
