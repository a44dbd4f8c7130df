// Command enrichsite runs the engine on one website with no services and
// prints what it found as JSON: the team with the page and the rule that
// found each person, every page visited and what it was taken for, and why
// the team is empty when it is. It is the first thing to reach for when a
// firm's team comes out wrong.
//
//	go run ./cmd/enrichsite [-name NAME] URL
//
// The fetcher's settings are the worker's (VCENRICH_* in the environment),
// so the same guard, robots.txt rules and limits apply.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/vcenrich/vcenrich/app/workerapp"
	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/crawl"
	"github.com/vcenrich/vcenrich/firm"
	"github.com/vcenrich/vcenrich/sheets"
)

func main() {
	name := flag.String("name", "", "the firm's name, as the list gives it")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: enrichsite [-name NAME] URL")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	cfg, err := config.Load()
	if err == nil {
		err = run(os.Stdout, cfg, flag.Arg(0), *name)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "enrichsite:", err)
		os.Exit(1)
	}
}

// report is what the command prints.
type report struct {
	Input  firm.Input  `json:"input"`
	Result firm.Result `json:"result"`
	Error  string      `json:"error,omitempty"` // the firm failed: its homepage could not be read
}

func run(w io.Writer, cfg config.Config, raw, name string) error {
	website, err := sheets.NormalizeWebsite(raw)
	if err != nil {
		return fmt.Errorf("%q: %w", raw, err)
	}
	engine, err := workerapp.Engine(cfg)
	if err != nil {
		return err
	}
	in := firm.Input{Name: name, Website: website}
	res, err := engine.Enrich(context.Background(), in, func(u string) { fmt.Fprintln(os.Stderr, "fetch", u) })
	out := report{Input: in, Result: res}
	if err != nil {
		out.Error = err.Error()
		var ce *crawl.Error
		if errors.As(err, &ce) {
			out.Result.Status, out.Result.Reason = firm.StatusFailed, string(ce.Kind)
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}
