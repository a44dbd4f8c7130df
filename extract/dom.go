package extract

import (
	"strings"

	"golang.org/x/net/html"
)

// maxWalkDepth stops recursive walks on pathologically nested markup; the
// HTML parser itself refuses nesting beyond 512 and real pages are far
// shallower.
const maxWalkDepth = 512

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Namespace == "" && strings.EqualFold(a.Key, key) {
			return true
		}
	}
	return false
}

func classes(n *html.Node) []string {
	return strings.Fields(strings.ToLower(attr(n, "class")))
}

// utilityPrefixes start the utility classes of CSS frameworks such as
// Tailwind, which name colours and sizes ("text-brand-red"), never what an
// element holds.
var utilityPrefixes = []string{"text-", "bg-", "border-", "ring-", "shadow-", "fill-", "stroke-", "decoration-",
	"outline-", "from-", "via-", "to-", "placeholder-", "divide-", "accent-", "caret-", "font-", "leading-", "tracking-"}

func utilityClass(c string) bool {
	if strings.Contains(c, ":") {
		return true // a state or breakpoint variant (hover:, md:)
	}
	for _, p := range utilityPrefixes {
		if strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// classContains reports whether any class token that is not a utility
// class contains one of parts.
func classContains(n *html.Node, parts ...string) bool {
	for _, c := range classes(n) {
		if utilityClass(c) {
			continue
		}
		for _, p := range parts {
			if strings.Contains(c, p) {
				return true
			}
		}
	}
	return false
}

func isElement(n *html.Node, tags ...string) bool {
	if n == nil || n.Type != html.ElementNode {
		return false
	}
	for _, t := range tags {
		if n.Data == t {
			return true
		}
	}
	return false
}

// headingLevel is 1–6 for h1–h6 and 0 otherwise.
func headingLevel(n *html.Node) int {
	if n.Type == html.ElementNode && len(n.Data) == 2 && n.Data[0] == 'h' && n.Data[1] >= '1' && n.Data[1] <= '6' {
		return int(n.Data[1] - '0')
	}
	return 0
}

// inlineTags do not break a line of text; everything else does.
var inlineTags = map[string]bool{
	"a": true, "abbr": true, "b": true, "bdi": true, "bdo": true, "cite": true,
	"code": true, "data": true, "dfn": true, "em": true, "font": true, "i": true,
	"kbd": true, "mark": true, "q": true, "s": true, "samp": true, "small": true,
	"span": true, "strong": true, "sub": true, "sup": true, "time": true, "u": true,
	"var": true, "wbr": true, "label": true,
}

// fieldClassParts mark inline elements that site builders stack visually with
// CSS (a name span followed by a title span), so they break lines too.
var fieldClassParts = []string{"name", "title", "role", "position", "designation", "job"}

func breaksLine(n *html.Node) bool {
	return !inlineTags[n.Data] || classContains(n, fieldClassParts...)
}

// line is one visual line of text and the element that holds it.
type line struct {
	text string
	el   *html.Node
}

// lines renders the visible text of nodes as the lines a reader would see.
func lines(nodes ...*html.Node) []line {
	var out []line
	var buf strings.Builder
	var cur *html.Node
	flush := func() {
		if t := collapse(buf.String()); t != "" {
			out = append(out, line{text: t, el: cur})
		}
		buf.Reset()
	}
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxWalkDepth {
			return
		}
		switch n.Type {
		case html.TextNode:
			buf.WriteString(n.Data)
			return
		case html.ElementNode:
		default:
			return
		}
		if n.Data == "br" {
			flush()
			return
		}
		if !breaksLine(n) {
			// A link set right after text without a space ("Partner<a>LinkedIn</a>")
			// still reads as a separate word.
			if n.Data == "a" && buf.Len() > 0 {
				buf.WriteByte(' ')
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c, depth+1)
			}
			return
		}
		flush()
		prev := cur
		cur = n
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
		flush()
		cur = prev
	}
	for _, n := range nodes {
		cur = n
		walk(n, 0)
		flush()
	}
	return out
}

// textOf is the visible text of n with line breaks turned into spaces.
func textOf(n *html.Node) string {
	ls := lines(n)
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.text
	}
	return strings.Join(parts, " ")
}

// shortText reports whether n holds at most limit bytes of text, giving up
// early so that checking every element of a large page stays linear-ish.
func shortText(n *html.Node, limit int) bool {
	size, visited := 0, 0
	var walk func(n *html.Node, depth int) bool
	walk = func(n *html.Node, depth int) bool {
		visited++
		if visited > 400 || depth > maxWalkDepth {
			return false
		}
		if n.Type == html.TextNode {
			size += len(strings.TrimSpace(n.Data))
			return size <= limit
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if !walk(c, depth+1) {
				return false
			}
		}
		return true
	}
	return walk(n, 0)
}

// onlyInlineChildren reports whether n's children are text and inline
// elements, i.e. n is a leaf block such as a <p> or a <td>.
func onlyInlineChildren(n *html.Node) bool {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && !inlineTags[c.Data] && c.Data != "br" && c.Data != "img" {
			return false
		}
	}
	return true
}

func hasAncestor(n *html.Node, tags ...string) bool {
	for p := n.Parent; p != nil; p = p.Parent {
		if isElement(p, tags...) {
			return true
		}
	}
	return false
}

// forEachElement visits every element under root in document order.
func forEachElement(root *html.Node, fn func(n *html.Node)) {
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if depth > maxWalkDepth {
			return
		}
		if n.Type == html.ElementNode {
			fn(n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
}
