// Package realpages evaluates the engine on real firm pages written by
// others: it reads their ground truth (the format of the shared realpages
// set: pages/NNN-name.html beside NNN-name.json), serves each page as a
// firm's website on loopback, runs the real engine over it and scores the
// team it finds the way the set's own scorer (score.py) does.
package realpages

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Page is one real page and its ground truth.
type Page struct {
	Stem       string   // file name without extension, e.g. "001-amity-ventures-home"
	HTMLFile   string   // path of the page's bytes on disk
	Path       string   // the file's path in its repository (where the site serves it)
	Repo       string   // source repository
	Difficulty string   // easy, medium, hard, very hard, negative
	People     []Person // the firm's own team
	NotTeam    []Person // named people who must not be output as team
}

// Person is a ground-truth person.
type Person struct {
	Name         string   `json:"name"`
	Title        string   `json:"title"`
	LinkedIn     string   `json:"linkedin"`
	Alternatives []string `json:"name_alternatives"`
	Latin        string   `json:"name_latin"`
	TitleAlts    []string `json:"title_alternatives"`
	MentionOnly  bool     `json:"mention_only"`
	Kind         string   `json:"kind"`
}

type truth struct {
	SourceRepo string   `json:"source_repo"`
	Path       string   `json:"path"`
	Difficulty string   `json:"difficulty"`
	People     []Person `json:"people"`
	NotTeam    []Person `json:"not_team"`
}

// Load reads every NNN-name.json with its .html (or .htm) page from the
// given folders. Stems must be unique across folders, since they name the
// pages in reports.
func Load(dirs ...string) ([]Page, error) {
	var pages []Page
	seen := map[string]string{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("realpages: list %s: %w", dir, err)
		}
		if len(files) == 0 {
			return nil, fmt.Errorf("realpages: no ground truth (*.json) in %s", dir)
		}
		for _, f := range files {
			p, err := loadPage(f)
			if err != nil {
				return nil, err
			}
			if prev, dup := seen[p.Stem]; dup {
				return nil, fmt.Errorf("realpages: page %s is in both %s and %s", p.Stem, prev, dir)
			}
			seen[p.Stem] = dir
			pages = append(pages, p)
		}
	}
	sort.Slice(pages, func(i, j int) bool { return pages[i].Stem < pages[j].Stem })
	return pages, nil
}

func loadPage(jsonFile string) (Page, error) {
	raw, err := os.ReadFile(jsonFile)
	if err != nil {
		return Page{}, fmt.Errorf("realpages: %w", err)
	}
	var t truth
	if err := json.Unmarshal(raw, &t); err != nil {
		return Page{}, fmt.Errorf("realpages: %s: %w", jsonFile, err)
	}
	stem := strings.TrimSuffix(filepath.Base(jsonFile), ".json")
	p := Page{
		Stem: stem, Path: t.Path, Repo: t.SourceRepo, Difficulty: t.Difficulty,
		People: t.People, NotTeam: t.NotTeam,
	}
	for _, ext := range []string{".html", ".htm"} {
		f := strings.TrimSuffix(jsonFile, ".json") + ext
		if _, err := os.Stat(f); err == nil {
			p.HTMLFile = f
			break
		}
	}
	if p.HTMLFile == "" {
		return Page{}, fmt.Errorf("realpages: %s has no .html beside it", jsonFile)
	}
	if p.Path == "" {
		p.Path = filepath.Base(p.HTMLFile)
	}
	return p, nil
}
