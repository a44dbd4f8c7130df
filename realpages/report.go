package realpages

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
)

// Totals adds up page scores.
type Totals struct {
	Pages                       int
	Gold, Pred                  int
	TP, FP, FN, Dup, NotTeam    int
	TitleN, TitleOK, TitleLenOK int
	LinkN, LinkOK, LinkGold     int
	LinkFound                   int
	NegativeRows                int // rows on pages whose team is empty
	EmptyPages                  int // pages with two or more team members where nobody was found
}

// Sum adds up the scores of pages.
func Sum(scores []PageScore) Totals {
	var t Totals
	for _, s := range scores {
		t.Pages++
		t.Gold += s.Gold
		t.Pred += s.Pred
		t.TP += s.TP
		t.FP += s.FP
		t.FN += s.FN
		t.Dup += s.Dup
		t.NotTeam += s.NotTeam
		t.TitleN += s.TitleN
		t.TitleOK += s.TitleOK
		t.TitleLenOK += s.TitleLenOK
		t.LinkN += s.LinkN
		t.LinkOK += s.LinkOK
		t.LinkGold += s.LinkGold
		t.LinkFound += s.LinkFound
		if s.Gold == 0 {
			t.NegativeRows += s.FP
		}
		if s.Gold >= 2 && s.TP == 0 {
			t.EmptyPages++
		}
	}
	return t
}

func ratio(a, b int) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

// Precision of names: found people who are on the team.
func (t Totals) Precision() float64 { return ratio(t.TP, t.TP+t.FP) }

// Recall of names: team people found.
func (t Totals) Recall() float64 { return ratio(t.TP, t.Gold) }

// Titles is strict title accuracy among found people with a title.
func (t Totals) Titles() float64 { return ratio(t.TitleOK, t.TitleN) }

// LinkedIn is the share of found people who have a profile whose profile
// was found; LinkOK/LinkN (every found person, an empty answer expected
// where they have none) is printed beside it.
func (t Totals) LinkedIn() float64 { return ratio(t.LinkFound, t.LinkGold) }

// Line is the one-line summary the evaluation ends with.
func (t Totals) Line() string {
	return fmt.Sprintf("precision %s recall %s titles %s linkedin %s not-team %d duplicates %d",
		figure(t.Precision()), figure(t.Recall()), figure(t.Titles()), figure(t.LinkedIn()), t.NotTeam, t.Dup)
}

// Write prints the per-page table, optionally each page's notes, and the
// totals, ending with Line.
func Write(w io.Writer, scores []PageScore, verbose bool) {
	hdr := fmt.Sprintf("%-46s %4s %4s %3s %3s %3s %5s %5s %7s %7s %3s %3s",
		"page", "gold", "pred", "tp", "fp", "fn", "prec", "rec", "title", "li", "dup", "ntm")
	fmt.Fprintln(w, hdr)
	fmt.Fprintln(w, strings.Repeat("-", len(hdr)))
	for _, s := range scores {
		fmt.Fprintf(w, "%-46s %4d %4d %3d %3d %3d %5s %5s %7s %7s %3d %3d\n",
			clip(s.Page, 46), s.Gold, s.Pred, s.TP, s.FP, s.FN,
			orDash(ratio(s.TP, s.TP+s.FP)), orDash(ratio(s.TP, s.Gold)),
			frac(s.TitleOK, s.TitleN), frac(s.LinkOK, s.LinkN), s.Dup, s.NotTeam)
		if verbose {
			for _, n := range s.Notes {
				fmt.Fprintln(w, "  "+n)
			}
		}
	}
	t := Sum(scores)
	fmt.Fprintln(w, strings.Repeat("-", len(hdr)))
	byDifficulty := map[string][]PageScore{}
	var kinds []string
	for _, s := range scores {
		if byDifficulty[s.Difficulty] == nil {
			kinds = append(kinds, s.Difficulty)
		}
		byDifficulty[s.Difficulty] = append(byDifficulty[s.Difficulty], s)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		c := Sum(byDifficulty[k])
		fmt.Fprintf(w, "%-10s %2d pages  %s  empty %d\n", orNone(k), c.Pages, c.Line(), c.EmptyPages)
	}
	fmt.Fprintf(w, "pages %d  gold people %d  extracted rows %d\n", t.Pages, t.Gold, t.Pred)
	fmt.Fprintf(w, "names     precision %.3f  recall %.3f  (tp %d, fp %d, fn %d)\n", t.Precision(), t.Recall(), t.TP, t.FP, t.FN)
	fmt.Fprintf(w, "titles    strict %d/%d = %.3f   lenient %d/%d = %.3f   (found people with a title)\n",
		t.TitleOK, t.TitleN, t.Titles(), t.TitleLenOK, t.TitleN, ratio(t.TitleLenOK, t.TitleN))
	fmt.Fprintf(w, "linkedin  profiles found %d/%d = %.3f of found people who have one; right %d/%d = %.3f of all found people\n",
		t.LinkFound, t.LinkGold, t.LinkedIn(), t.LinkOK, t.LinkN, ratio(t.LinkOK, t.LinkN))
	fmt.Fprintf(w, "errors    duplicates %d   not-team counted as team %d   false rows on pages with no team %d   pages with a team where nobody was found %d\n",
		t.Dup, t.NotTeam, t.NegativeRows, t.EmptyPages)
	fmt.Fprintln(w, t.Line())
}

// figure prints a ratio, "-" when nothing was there to count.
func figure(x float64) string {
	if math.IsNaN(x) {
		return "-"
	}
	return fmt.Sprintf("%.3f", x)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func orDash(x float64) string {
	if math.IsNaN(x) {
		return "  -  "
	}
	return fmt.Sprintf("%5.2f", x)
}

func frac(a, b int) string {
	if b == 0 {
		return "   -   "
	}
	return fmt.Sprintf("%3d/%-3d", a, b)
}
