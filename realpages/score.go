package realpages

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// The scorer follows the realpages set's score.py rule for rule, so that the
// figures printed here and by that script agree (a test checks they do).

var honorifics = set("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
	"hon", "rev", "herr", "frau", "sr", "sra", "srta", "sig", "dott", "dottssa", "ing", "mme",
	"mlle", "don", "dona", "dra", "lic", "eng", "shri", "smt", "capt", "col", "gen")

var postNominals = set("phd", "md", "mba", "cfa", "cpa", "esq", "jr", "sr", "ii", "iii", "iv", "jd", "llm", "llb",
	"cfp", "caia", "frm", "acca", "acpa", "ca", "cima", "pe", "pmp", "msc", "bsc", "dphil",
	"mphil", "frcs", "facc", "cbe", "obe", "mbe", "cga", "cma", "cisa", "rn", "dds", "cfe")

func set(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

var credential = regexp.MustCompile(`^[A-Za-z.]{1,8}$`)

var folder = cases.Fold()

// fold is NFKC, then accents removed, then case folded.
func fold(s string) string {
	s = norm.NFKD.String(norm.NFKC.String(s))
	var b strings.Builder
	for _, r := range s {
		if !unicode.Is(unicode.Mn, r) {
			b.WriteRune(r)
		}
	}
	return folder.String(b.String())
}

// punctToSpace turns everything but letters, digits, marks and spaces into
// a space, as the script's [^\w\s]|_ does.
func punctToSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '_' && (unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || unicode.IsNumber(r)) || unicode.IsSpace(r) {
			return r
		}
		return ' '
	}, s)
}

func isCJK(r rune) bool {
	return r >= 0x3040 && r <= 0x30ff || r >= 0x3400 && r <= 0x4dbf || r >= 0x4e00 && r <= 0x9fff ||
		r >= 0xac00 && r <= 0xd7af || r >= 0xf900 && r <= 0xfaff
}

// nameKey normalises a name: credentials after commas, honorifics and
// post-nominals dropped, punctuation and case ignored, CJK without spaces.
func nameKey(s string) string {
	s = strings.TrimSpace(norm.NFKC.String(s))
	if parts := strings.Split(s, ","); len(parts) > 1 {
		all := true
		for _, p := range parts[1:] {
			if p = strings.TrimSpace(p); p != "" && !credential.MatchString(p) {
				all = false
			}
		}
		if all {
			s = strings.TrimSpace(parts[0])
		}
	}
	s = fold(s)
	s = strings.NewReplacer("'", "", "\u2019", "", "\u02bc", "", "`", "").Replace(s)
	toks := strings.Fields(punctToSpace(s))
	for len(toks) > 2 && honorifics[toks[0]] {
		toks = toks[1:]
	}
	if len(toks) == 2 && honorifics[toks[0]] && toks[0] != "don" && toks[0] != "lord" && toks[0] != "lady" && len([]rune(toks[1])) > 1 {
		toks = toks[1:]
	}
	for len(toks) > 2 && postNominals[toks[len(toks)-1]] {
		toks = toks[:len(toks)-1]
	}
	key := strings.Join(toks, " ")
	if strings.IndexFunc(key, isCJK) >= 0 {
		key = strings.ReplaceAll(key, " ", "")
	}
	return key
}

// nameKeys are the three levels of matching: exact normalised, single-letter
// middle initials ignored, word order ignored.
type nameKeys [3]string

func keysOf(name string) nameKeys {
	k1 := nameKey(name)
	toks := strings.Fields(k1)
	k2 := k1
	if len(toks) > 2 {
		var kept []string
		for _, t := range toks {
			if len([]rune(t)) > 1 {
				kept = append(kept, t)
			}
		}
		k2 = strings.Join(kept, " ")
	}
	t2 := strings.Fields(k2)
	sort.Strings(t2)
	return nameKeys{k1, k2, strings.Join(t2, " ")}
}

func titleKey(s string) string {
	s = strings.NewReplacer("&", " and ", "+", " and ").Replace(fold(s))
	return strings.Join(strings.Fields(punctToSpace(s)), " ")
}

func singular(s string) string {
	toks := strings.Fields(s)
	for i, t := range toks {
		if len(t) > 3 && strings.HasSuffix(t, "s") {
			toks[i] = t[:len(t)-1]
		}
	}
	return strings.Join(toks, " ")
}

// titleOK reports a strict match (normalised equality with a gold title) and
// a lenient one (either contains the other, plural "s" ignored).
func titleOK(pred string, gold []string) (strict, lenient bool) {
	p := titleKey(pred)
	var golds []string
	for _, g := range gold {
		if g != "" {
			golds = append(golds, titleKey(g))
		}
	}
	for _, g := range golds {
		if p == g {
			strict = true
		}
	}
	lenient = strict
	for _, g := range golds {
		if p != "" && g != "" && (strings.Contains(singular(g), singular(p)) || strings.Contains(singular(p), singular(g))) {
			lenient = true
		}
	}
	return strict, lenient
}

var (
	hasScheme       = regexp.MustCompile(`(?i)^[a-z]+://`)
	linkedInSubhost = regexp.MustCompile(`^(www\.|[a-z]{2,3}\.)linkedin\.com$`)
)

// goldLinkedInKey compares a found profile URL with the gold one, without
// scheme, www. or country sub-domain, trailing slash, query string and
// percent-encoding. It is the scorer's own and not the extractor's
// normaliser: a mistake of the code under test must not score as right,
// and any two URLs, profiles or not, are compared.
func goldLinkedInKey(u string) string {
	u = strings.TrimSpace(u)
	if d, err := url.PathUnescape(u); err == nil {
		u = d
	}
	if u == "" {
		return ""
	}
	if !hasScheme.MatchString(u) {
		u = "https://" + u
	}
	sp, err := url.Parse(u)
	if err != nil {
		return u
	}
	host := strings.ToLower(sp.Host)
	if linkedInSubhost.MatchString(host) {
		host = "linkedin.com"
	}
	p := strings.TrimRight(sp.Path, "/")
	if host == "linkedin.com" {
		p = strings.ToLower(p)
		if strings.HasPrefix(p, "/profile/view") {
			return host + p + "?id=" + sp.Query().Get("id")
		}
		return host + p
	}
	if sp.RawQuery != "" {
		return host + p + "?" + sp.RawQuery
	}
	return host + p
}

// Row is one extracted person on one page.
type Row struct {
	Page, Name, Title, LinkedIn string
}

// PageScore is how one page's rows compare with its ground truth.
type PageScore struct {
	Page                               string
	Difficulty                         string
	Gold, Pred                         int
	TP, FP, FN, Dup, NotTeam           int
	TitleN, TitleOK, TitleLenOK        int
	LinkN, LinkOK, LinkGold, LinkFound int
	Notes                              []string // misses, false positives, wrong titles and links
}

type goldPerson struct {
	Person
	keys   []nameKeys
	titles []string
}

func goldOf(ps []Person) []goldPerson {
	out := make([]goldPerson, len(ps))
	for i, p := range ps {
		names := append([]string{p.Name}, p.Alternatives...)
		if p.Latin != "" {
			names = append(names, p.Latin)
		}
		g := goldPerson{Person: p, titles: append([]string{p.Title}, p.TitleAlts...)}
		for _, n := range names {
			g.keys = append(g.keys, keysOf(n))
		}
		out[i] = g
	}
	return out
}

// find returns the candidates matching k at the strictest level that
// matches at all.
func find(k nameKeys, cands []goldPerson) []int {
	for lvl := range 3 {
		var hits []int
		for i, c := range cands {
			for _, ck := range c.keys {
				if k[lvl] != "" && k[lvl] == ck[lvl] {
					hits = append(hits, i)
					break
				}
			}
		}
		if len(hits) > 0 {
			return hits
		}
	}
	return nil
}

// ScorePage scores the rows extracted from p.
func ScorePage(p Page, rows []Row) PageScore {
	people, notTeam := goldOf(p.People), goldOf(p.NotTeam)
	s := PageScore{Page: p.Stem, Difficulty: p.Difficulty, Pred: len(rows)}
	matched := map[int]bool{}
	note := func(format string, args ...any) { s.Notes = append(s.Notes, fmt.Sprintf(format, args...)) }
	for _, r := range rows {
		k := keysOf(r.Name)
		hits := find(k, people)
		var free []int
		for _, i := range hits {
			if !matched[i] {
				free = append(free, i)
			}
		}
		if len(hits) > 0 && len(free) == 0 {
			if !people[hits[0]].MentionOnly {
				s.Dup++
				s.FP++
				note("duplicate   %q", r.Name)
			}
			continue
		}
		if len(hits) == 0 {
			s.FP++
			if nt := find(k, notTeam); len(nt) > 0 {
				s.NotTeam++
				note("not_team    %q (%s)", r.Name, clip(notTeam[nt[0]].Kind, 60))
			} else {
				note("false pos.  %q / %q", r.Name, r.Title)
			}
			continue
		}
		i := free[0]
		g := people[i]
		matched[i] = true
		if g.MentionOnly {
			continue
		}
		s.TP++
		if strings.Join(g.titles, "") != "" {
			s.TitleN++
			ok, len := titleOK(r.Title, g.titles)
			s.TitleOK += b2i(ok)
			s.TitleLenOK += b2i(len)
			if !ok {
				note("title       %q: got %q, want %q", g.Name, r.Title, g.Title)
			}
		}
		s.LinkN++
		good := goldLinkedInKey(r.LinkedIn) == goldLinkedInKey(g.LinkedIn)
		s.LinkOK += b2i(good)
		if g.LinkedIn != "" {
			s.LinkGold++
			s.LinkFound += b2i(good)
		}
		if !good {
			note("linkedin    %q: got %q, want %q", g.Name, r.LinkedIn, g.LinkedIn)
		}
	}
	for i, g := range people {
		if g.MentionOnly {
			continue
		}
		s.Gold++
		if !matched[i] {
			s.FN++
			note("missed      %q", g.Name)
		}
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
