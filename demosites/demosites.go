// Package demosites serves a handful of bundled, realistic VC firm websites
// from one local HTTP server, chosen by the Host header, so the product can
// be demonstrated and integration-tested without touching the internet. Each
// site comes with what enrichment is expected to find on it.
package demosites

import (
	"embed"
	"encoding/json"
	"fmt"

	"github.com/vcenrich/vcenrich/firm"
)

// siteFiles holds sites/index.json and one directory per served host.
//
//go:embed sites
var siteFiles embed.FS

const (
	siteRoot  = "sites"
	indexFile = "sites/index.json"
)

// Site is one bundled demo website and what enrichment should report for it.
type Site struct {
	Host        string        `json:"host"`
	Name        string        `json:"name"`
	Description string        `json:"description"`
	Team        []firm.Member `json:"team"`
	Failure     string        `json:"failure"`
}

// entry is a Site as stored in the index, plus the columns the sample
// spreadsheet needs but nothing else cares about.
type entry struct {
	Site
	HQ            string `json:"hq"`
	Notes         string `json:"notes"`
	SampleWebsite string `json:"sample_website"`
}

// Sites returns every bundled site in index order, failure sites included.
func Sites() []Site {
	entries := mustLoadIndex()
	sites := make([]Site, len(entries))
	for i, e := range entries {
		sites[i] = e.Site
	}
	return sites
}

// mustLoadIndex panics because the index is compiled into the binary: a
// broken one is a programming error that the package tests catch, not a
// runtime condition callers could handle.
func mustLoadIndex() []entry {
	entries, err := loadIndex()
	if err != nil {
		panic(err)
	}
	return entries
}

func loadIndex() ([]entry, error) {
	data, err := siteFiles.ReadFile(indexFile)
	if err != nil {
		return nil, fmt.Errorf("read demo site index: %w", err)
	}
	var entries []entry
	if err := json.Unmarshal(data, &entries); err != nil {
		return nil, fmt.Errorf("parse demo site index: %w", err)
	}
	return entries, nil
}
