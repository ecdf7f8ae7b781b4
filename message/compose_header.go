package message

import (
	"strings"
)

// headerWriter writes header fields (RFC 5322 §2.2) folded at spaces so
// that lines stay within 78 characters where they can (§2.1.1).
type headerWriter struct {
	b strings.Builder
}

func (h *headerWriter) bytes() []byte { return []byte(h.b.String()) }

// field writes a value that needs no encoding, folding it when long.
func (h *headerWriter) field(name, value string) {
	h.fold(name, strings.Fields(value), " ")
}

// folded writes a value as is: it may already contain CRLF-space folds.
// Longer runs between those folds are folded at spaces.
func (h *headerWriter) folded(name, value string) {
	h.b.WriteString(name + ": ")
	lines := strings.Split(value, "\r\n")
	for i, l := range lines {
		if i > 0 {
			h.b.WriteString("\r\n")
		}
		start := 0
		if i == 0 {
			start = len(name) + 2
		}
		h.b.WriteString(foldLine(l, start))
	}
	h.b.WriteString("\r\n")
}

// text writes unstructured text (Subject), RFC 2047-encoded when not ASCII.
func (h *headerWriter) text(name, value string) {
	value = strings.Join(strings.Fields(normalizeNewlines(value)), " ")
	if value == "" {
		h.b.WriteString(name + ": \r\n")
		return
	}
	h.fold(name, strings.Split(encodeWord(value), " "), " ")
}

// addresses writes an address list (RFC 5322 §3.4); nothing for an empty one.
func (h *headerWriter) addresses(name string, list []Address) {
	var items []string
	for _, a := range list {
		if strings.TrimSpace(a.Addr) == "" {
			continue
		}
		items = append(items, formatAddress(a))
	}
	if len(items) == 0 {
		return
	}
	// Fold between addresses, and inside a long encoded name at its spaces.
	var tokens []string
	for i, it := range items {
		words := strings.Split(it, " ")
		if i < len(items)-1 {
			words[len(words)-1] += ","
		}
		tokens = append(tokens, words...)
	}
	h.fold(name, tokens, " ")
}

func (h *headerWriter) fold(name string, tokens []string, sep string) {
	h.b.WriteString(name + ":")
	col := len(name) + 1
	for _, t := range tokens {
		if t == "" {
			continue
		}
		if col+len(sep)+len(t) > 78 && col > len(name)+1 {
			h.b.WriteString("\r\n")
			col = 0
		}
		h.b.WriteString(sep + t)
		col += len(sep) + len(t)
	}
	h.b.WriteString("\r\n")
}

// foldLine folds one run of a header value at spaces when longer than 78
// characters, the first line starting after a prefix of width start.
func foldLine(s string, start int) string {
	if start+len(s) <= 78 {
		return s
	}
	var b strings.Builder
	col, words := start, 0
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			if col+1+len(w) > 78 && words > 0 {
				b.WriteString("\r\n")
				col, words = 0, 0
			}
			b.WriteString(" ")
			col++
		}
		b.WriteString(w)
		col += len(w)
		if w != "" {
			words++
		}
	}
	return b.String()
}

// formatAddress writes one mailbox (RFC 5322 §3.4): "Name <addr>" with the
// name quoted when it has specials, RFC 2047-encoded when not ASCII.
func formatAddress(a Address) string {
	addr := strings.TrimSpace(a.Addr)
	name := strings.Join(strings.Fields(a.Name), " ")
	if name == "" || strings.EqualFold(name, addr) {
		return addr
	}
	enc := encodeWord(name)
	if enc == name && strings.ContainsAny(name, `()<>[]:;@\,."`) {
		enc = quoteParam(name)
	}
	return enc + " <" + addr + ">"
}
