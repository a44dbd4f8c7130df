package realpages_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vcenrich/vcenrich/config"
	"github.com/vcenrich/vcenrich/realpages"
)

// sharedPages is the shared set of real firm pages beside the repository.
const sharedPages = "../../shared/realpages/pages"

func loadShared(t *testing.T) []realpages.Page {
	t.Helper()
	if _, err := os.Stat(sharedPages); err != nil {
		t.Skipf("no real pages at %s: %v", sharedPages, err)
	}
	pages, err := realpages.Load(sharedPages)
	if err != nil {
		t.Fatal(err)
	}
	return pages
}

func evaluate(t *testing.T, pages []realpages.Page) []realpages.Outcome {
	t.Helper()
	cfg, err := config.LoadFrom(func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	outs, err := realpages.Run(context.Background(), cfg, pages, 4)
	if err != nil {
		t.Fatal(err)
	}
	return outs
}

// Floors sit just under what the engine reaches on the shared real pages
// (make eval); a change that loses accuracy there fails here.
func TestRealPagesFloor(t *testing.T) {
	outs := evaluate(t, loadShared(t))
	tot := realpages.Sum(realpages.Scores(outs))
	t.Log(tot.Line())
	floors := []struct {
		name      string
		got, want float64
	}{
		{"precision", tot.Precision(), 0.99},
		{"recall", tot.Recall(), 0.98},
		{"titles", tot.Titles(), 0.94},
		{"linkedin", tot.LinkedIn(), 0.95},
	}
	for _, f := range floors {
		if !(f.got >= f.want) {
			t.Errorf("%s %.3f, below the floor %.3f", f.name, f.got, f.want)
		}
	}
	ceilings := []struct {
		name      string
		got, want int
	}{
		{"duplicates", tot.Dup, 0},
		{"not-team counted as team", tot.NotTeam, 0},
		{"pages with a team where nobody was found", tot.EmptyPages, 0},
	}
	for _, c := range ceilings {
		if c.got > c.want {
			t.Errorf("%s: %d, more than %d", c.name, c.got, c.want)
		}
	}
}

// The Go scorer must give the figures of the set's own score.py on the
// same rows.
func TestScorerAgreesWithScorePy(t *testing.T) {
	pages := loadShared(t)
	script := filepath.Join(filepath.Dir(sharedPages), "score.py")
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3 to run score.py")
	}
	if _, err := os.Stat(script); err != nil {
		t.Skipf("no score.py: %v", err)
	}
	outs := evaluate(t, pages)
	dir := t.TempDir()
	rows := filepath.Join(dir, "rows.csv")
	f, err := os.Create(rows)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"page", "name", "title", "linkedin"})
	// Rows that test the scorer's rules besides the engine's output: a
	// duplicate, a name in capitals with a credential, a wrong title.
	for _, o := range outs {
		for _, r := range o.Rows {
			_ = w.Write([]string{r.Page, r.Name, r.Title, r.LinkedIn})
		}
		for _, p := range o.Page.People {
			_ = w.Write([]string{o.Page.Stem, strings.ToUpper(p.Name) + ", CFA", "Partners", "https://uk.linkedin.com/in/x/"})
			break
		}
	}
	w.Flush()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "score.json")
	if b, err := exec.Command(py, script, rows, "--pages", sharedPages, "--json", out).CombinedOutput(); err != nil {
		t.Fatalf("score.py: %v\n%s", err, b)
	}
	var want struct {
		Total map[string]float64 `json:"total"`
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	// Score the same rows in Go.
	byPage := map[string][]realpages.Row{}
	rf, _ := os.Open(rows)
	recs, err := csv.NewReader(rf).ReadAll()
	rf.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		byPage[r[0]] = append(byPage[r[0]], realpages.Row{Page: r[0], Name: r[1], Title: r[2], LinkedIn: r[3]})
	}
	var scores []realpages.PageScore
	for _, p := range pages {
		scores = append(scores, realpages.ScorePage(p, byPage[p.Stem]))
	}
	got := realpages.Sum(scores)
	for _, c := range []struct {
		key string
		got int
	}{
		{"gold", got.Gold}, {"pred", got.Pred}, {"tp", got.TP}, {"fp", got.FP}, {"fn", got.FN},
		{"dup", got.Dup}, {"nt", got.NotTeam}, {"t_n", got.TitleN}, {"t_ok", got.TitleOK},
		{"t_len", got.TitleLenOK}, {"l_n", got.LinkN}, {"l_ok", got.LinkOK}, {"l_gold", got.LinkGold},
		{"l_found", got.LinkFound}, {"neg_rows", got.NegativeRows},
	} {
		if w := int(want.Total[c.key]); c.got != w {
			t.Errorf("%s: Go scorer %d, score.py %d", c.key, c.got, w)
		}
	}
}
