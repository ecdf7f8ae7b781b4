package message

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlText is the result of reducing one HTML document to text.
type htmlText struct {
	text  string
	links []string
}

// maxHTMLDepth bounds recursion over hostile, deeply nested HTML.
const maxHTMLDepth = 200

// htmlToText reduces an HTML document (already UTF-8) to readable text:
// block elements become line breaks, list items get "- " or "1. ", table
// cells are separated by two spaces, <blockquote> lines get "> ", <pre>
// keeps its white space, and each <a href> with an http, https, mailto or
// ftp target is followed by " [n]" where n numbers the link in the returned
// links, counting on from firstLink. <script>, <style>, <head>, comments and
// other non-content are dropped; entities are decoded by the HTML parser;
// images contribute only their alt text. Nothing is ever fetched.
func htmlToText(doc string, firstLink int) htmlText {
	root, err := html.Parse(strings.NewReader(doc))
	if err != nil { // only on reader errors, impossible here
		return htmlText{text: doc}
	}
	w := &htmlWriter{nextLink: firstLink}
	w.walk(root, 0)
	return htmlText{text: tidyText(w.b.String()), links: w.links}
}

type htmlWriter struct {
	b        strings.Builder
	links    []string
	nextLink int
	pre      int  // depth inside <pre>
	space    bool // a space is pending before the next word
	quote    int  // blockquote depth
	lists    []int
}

func (w *htmlWriter) walk(n *html.Node, depth int) {
	if depth > maxHTMLDepth {
		return
	}
	switch n.Type {
	case html.TextNode:
		w.text(n.Data)
		return
	case html.CommentNode, html.DoctypeNode:
		return
	case html.ElementNode:
		w.element(n, depth)
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
}

func (w *htmlWriter) children(n *html.Node, depth int) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.walk(c, depth+1)
	}
}

func (w *htmlWriter) element(n *html.Node, depth int) {
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript,
		atom.Iframe, atom.Object, atom.Embed, atom.Svg, atom.Math, atom.Select, atom.Button, atom.Meta, atom.Link:
		return
	case atom.Br:
		w.newline(1)
		return
	case atom.Hr:
		w.newline(1)
		w.write("----")
		w.newline(1)
		return
	case atom.Img:
		if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
			w.text("[" + alt + "]")
		}
		return
	case atom.A:
		w.children(n, depth)
		href := strings.TrimSpace(attr(n, "href"))
		if linkAllowed(href) {
			w.links = append(w.links, href)
			w.write(" [" + strconv.Itoa(w.nextLink) + "]")
			w.nextLink++
		}
		return
	case atom.Pre:
		w.newline(2)
		w.pre++
		w.children(n, depth)
		w.pre--
		w.newline(2)
		return
	case atom.Blockquote:
		w.newline(2)
		w.quote++
		w.children(n, depth)
		w.quote--
		w.newline(2)
		return
	case atom.Ul, atom.Ol, atom.Dl:
		w.newline(1)
		w.lists = append(w.lists, 0)
		if n.DataAtom == atom.Ol {
			w.lists[len(w.lists)-1] = 1
		}
		w.children(n, depth)
		w.lists = w.lists[:len(w.lists)-1]
		w.newline(1)
		return
	case atom.Li:
		w.newline(1)
		indent := strings.Repeat("  ", max(len(w.lists)-1, 0))
		if k := len(w.lists); k > 0 && w.lists[k-1] > 0 {
			w.write(indent + strconv.Itoa(w.lists[k-1]) + ". ")
			w.lists[k-1]++
		} else {
			w.write(indent + "- ")
		}
		w.children(n, depth)
		w.newline(1)
		return
	case atom.Td, atom.Th:
		w.write("  ")
		w.children(n, depth)
		return
	case atom.Tr, atom.Dt, atom.Dd, atom.Caption:
		w.newline(1)
		w.children(n, depth)
		w.newline(1)
		return
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Table,
		atom.Address, atom.Figure, atom.Fieldset, atom.Form:
		w.newline(2)
		w.children(n, depth)
		w.newline(2)
		return
	case atom.Div, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Nav,
		atom.Aside, atom.Main, atom.Center, atom.Tbody, atom.Thead, atom.Tfoot, atom.Figcaption, atom.Details, atom.Summary:
		w.newline(1)
		w.children(n, depth)
		w.newline(1)
		return
	}
	w.children(n, depth)
}

// text writes character data, collapsing white space outside <pre>.
func (w *htmlWriter) text(s string) {
	if w.pre > 0 {
		w.write(s)
		return
	}
	if s == "" {
		return
	}
	startsSpace := isHTMLSpace(s[0])
	endsSpace := isHTMLSpace(s[len(s)-1])
	words := strings.FieldsFunc(s, func(r rune) bool { return r < 0x80 && isHTMLSpace(byte(r)) })
	if len(words) == 0 {
		w.space = true
		return
	}
	if startsSpace {
		w.space = true
	}
	w.write(strings.Join(words, " "))
	w.space = endsSpace
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

// write appends s, emitting a pending space and blockquote prefixes.
func (w *htmlWriter) write(s string) {
	if s == "" {
		return
	}
	atLineStart := w.b.Len() == 0 || strings.HasSuffix(w.b.String(), "\n")
	if w.space && !atLineStart {
		w.b.WriteByte(' ')
	}
	w.space = false
	if w.quote > 0 {
		prefix := strings.Repeat("> ", w.quote)
		if atLineStart {
			w.b.WriteString(prefix)
		}
		s = strings.ReplaceAll(s, "\n", "\n"+prefix)
	}
	w.b.WriteString(s)
}

// newline ensures the output ends with at least n line breaks (none at the
// very start).
func (w *htmlWriter) newline(n int) {
	w.space = false
	if w.b.Len() == 0 {
		return
	}
	s := w.b.String()
	have := len(s) - len(strings.TrimRight(s, "\n"))
	for ; have < n; have++ {
		w.b.WriteByte('\n')
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if strings.EqualFold(a.Key, key) {
			return a.Val
		}
	}
	return ""
}

// linkAllowed keeps links a reader might follow on purpose; javascript:,
// data:, file:, fragment-only and relative links are not listed.
func linkAllowed(href string) bool {
	l := strings.ToLower(href)
	for _, scheme := range []string{"http://", "https://", "mailto:", "ftp://"} {
		if strings.HasPrefix(l, scheme) && len(l) > len(scheme) {
			return true
		}
	}
	return false
}

// tidyText trims trailing spaces on each line, drops leading and trailing
// blank lines, and allows at most one blank line in a row.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		if strings.TrimSpace(l) == "" || strings.TrimSpace(strings.Trim(l, ">")) == "" && strings.HasPrefix(l, ">") {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
			out = append(out, "")
			continue
		}
		blank = 0
		out = append(out, l)
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
