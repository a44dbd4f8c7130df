// Command evalemails measures the email-pattern learner on real pages that
// show several members' addresses: each address is hidden in turn, the
// pattern is learned from the others, and the address proposed for the
// hidden person is compared with the one the page shows.
//
//	go run ./cmd/evalemails DIR [DIR ...]
//
// Each DIR holds NNN-name.json files: {"domain": "acme.vc", "people":
// [{"name": "Jane Doe", "email": "jane.doe@acme.vc"}, …]}, the addresses
// read from the page beside it by a person.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/vcenrich/vcenrich/emails"
)

type page struct {
	Domain string `json:"domain"`
	People []struct {
		Name  string `json:"name"`
		Email string `json:"email"`
	} `json:"people"`
}

func main() {
	verbose := flag.Bool("v", false, "list every wrong proposal")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: evalemails [-v] DIR [DIR ...]")
		os.Exit(2)
	}
	if err := run(flag.Args(), *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "evalemails:", err)
		os.Exit(1)
	}
}

func run(dirs []string, verbose bool) error {
	var files []string
	for _, d := range dirs {
		fs, err := filepath.Glob(filepath.Join(d, "*.json"))
		if err != nil {
			return err
		}
		files = append(files, fs...)
	}
	if len(files) == 0 {
		return fmt.Errorf("no ground truth (*.json) in %s", strings.Join(dirs, ", "))
	}
	slices.Sort(files)
	total := emails.HoldoutResult{ByPattern: map[emails.Pattern][2]int{}}
	fmt.Printf("%-50s %6s %6s %6s %9s\n", "page", "tried", "right", "none", "pattern")
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var p page
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		known := make([]emails.Known, len(p.People))
		for i, x := range p.People {
			known[i] = emails.Known{Name: x.Name, Email: x.Email}
		}
		r := emails.Holdout(known, p.Domain)
		var pats []string
		for pt := range r.ByPattern {
			pats = append(pats, string(pt))
		}
		slices.Sort(pats)
		fmt.Printf("%-50s %6d %6d %6d %9s\n", strings.TrimSuffix(filepath.Base(f), ".json"), r.Tried, r.Right, r.Unlearned, strings.Join(pats, ","))
		if verbose {
			for _, m := range r.Misses {
				fmt.Println("  wrong:", m)
			}
		}
		total.Tried += r.Tried
		total.Right += r.Right
		total.Unlearned += r.Unlearned
		for pt, c := range r.ByPattern {
			t := total.ByPattern[pt]
			total.ByPattern[pt] = [2]int{t[0] + c[0], t[1] + c[1]}
		}
	}
	fmt.Println(strings.Repeat("-", 82))
	var pats []string
	for pt := range total.ByPattern {
		pats = append(pats, string(pt))
	}
	slices.Sort(pats)
	for _, pt := range pats {
		c := total.ByPattern[emails.Pattern(pt)]
		fmt.Printf("pattern %-12s right %d of %d\n", pt, c[1], c[0])
	}
	share := 0.0
	if total.Tried > 0 {
		share = float64(total.Right) / float64(total.Tried)
	}
	fmt.Printf("inferred right %d of %d (%.3f); no pattern learned for %d hidden addresses\n", total.Right, total.Tried, share, total.Unlearned)
	return nil
}
