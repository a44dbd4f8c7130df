package realpages

import (
	"context"
	"sync"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/enrich"
	"github.com/vcenrich/vcenrich/firm"
)

// Outcome is what the engine made of one page's site.
type Outcome struct {
	Page   Page
	Result firm.Result
	Err    error // the firm failed (its homepage could not be read)
	Rows   []Row
	Score  PageScore
}

// Run serves the pages as sites, builds the product's engine from cfg for
// them and evaluates it: what make eval and the floor test both do.
func Run(ctx context.Context, cfg config.Config, pages []Page, workers int) ([]Outcome, error) {
	sites, err := Serve(pages)
	if err != nil {
		return nil, err
	}
	defer sites.Close()
	engine, err := sites.Engine(cfg)
	if err != nil {
		return nil, err
	}
	return Evaluate(ctx, engine, pages, workers), nil
}

// Evaluate runs engine over every page's site, parallel in at most workers
// goroutines, and scores the team it finds. The engine's fetcher must reach
// the sites (see Sites).
func Evaluate(ctx context.Context, engine *enrich.Engine, pages []Page, workers int) []Outcome {
	out := make([]Outcome, len(pages))
	sem := make(chan struct{}, max(workers, 1))
	var wg sync.WaitGroup
	for i, p := range pages {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			o := Outcome{Page: p}
			o.Result, o.Err = engine.Enrich(ctx, firm.Input{Index: i, Name: Name(p), Website: Website(p)}, nil)
			for _, m := range o.Result.Team {
				if m.Name != "" {
					o.Rows = append(o.Rows, Row{Page: p.Stem, Name: m.Name, Title: m.Title, LinkedIn: m.LinkedIn})
				}
			}
			o.Score = ScorePage(p, o.Rows)
			out[i] = o
		}()
	}
	wg.Wait()
	return out
}

// Scores lists the outcomes' page scores.
func Scores(outs []Outcome) []PageScore {
	s := make([]PageScore, len(outs))
	for i, o := range outs {
		s[i] = o.Score
	}
	return s
}
