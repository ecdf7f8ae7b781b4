package message

import (
	"bytes"
	"net/mail"
	"regexp"
	"strings"
	"time"
)

// field is one header field as it appeared: its name as written and its
// value unfolded, still raw (not charset- or RFC 2047-decoded).
type field struct {
	name  string
	value string
}

// header is a lenient RFC 5322 §2.2 header block.
type header []field

// get returns the first value of the named field (case-insensitive).
func (h header) get(name string) (string, bool) {
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			return f.value, true
		}
	}
	return "", false
}

// all returns every value of the named field.
func (h header) all(name string) []string {
	var out []string
	for _, f := range h {
		if strings.EqualFold(f.name, name) {
			out = append(out, f.value)
		}
	}
	return out
}

// maxHeaderFields bounds the fields kept per header block.
const maxHeaderFields = 1000

// splitHeader splits an entity into its header block and its body at the
// first empty line (CRLF or LF). With no empty line, everything is header
// when it looks like header lines, else everything is body.
func splitHeader(raw []byte) (head, body []byte) {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			return raw, nil
		}
		line := raw[i : i+j]
		if len(line) == 0 || (len(line) == 1 && line[0] == '\r') {
			return raw[:i], raw[i+j+1:]
		}
		i += j + 1
	}
	return raw, nil
}

// parseHeader reads a header block leniently: it unfolds continuation lines,
// splits each field at its first colon, and records (in probs) lines that
// are not fields instead of failing.
func parseHeader(block []byte, probs *problems) header {
	var h header
	var cont []string // continuation lines of the last field, joined once
	flush := func() {
		if len(cont) > 0 && len(h) > 0 {
			last := &h[len(h)-1]
			last.value = strings.TrimSpace(last.value + " " + strings.Join(cont, " "))
		}
		cont = cont[:0]
	}
	lines := bytes.Split(block, []byte("\n"))
	for _, line := range lines {
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(h) > 0 {
				cont = append(cont, string(bytes.TrimSpace(line)))
				continue
			}
			probs.add("message: header starts with a continuation line")
			continue
		}
		colon := bytes.IndexByte(line, ':')
		if colon <= 0 || bytes.ContainsAny(line[:colon], " \t") && !isSpaceBeforeColon(line[:colon]) {
			if bytes.HasPrefix(line, []byte("From ")) && len(h) == 0 {
				continue // mbox "From " separator
			}
			probs.add("message: malformed header line")
			continue
		}
		flush()
		if len(h) >= maxHeaderFields {
			probs.add("message: too many header fields; the rest ignored")
			break
		}
		h = append(h, field{
			name:  string(bytes.TrimSpace(line[:colon])),
			value: string(bytes.TrimSpace(line[colon+1:])),
		})
	}
	flush()
	return h
}

// isSpaceBeforeColon accepts the obsolete "Name :" form (RFC 5322 §4.5.8).
func isSpaceBeforeColon(name []byte) bool {
	t := bytes.TrimRight(name, " \t")
	return len(t) > 0 && !bytes.ContainsAny(t, " \t")
}

// Address is one mailbox: a display name (decoded, sanitised for one line)
// and an address (addr-spec, sanitised, may be empty or odd in bad mail).
type Address struct {
	Name string
	Addr string
}

// String formats the address for display: "Name <addr>", or addr alone.
func (a Address) String() string {
	switch {
	case a.Name == "":
		return a.Addr
	case a.Addr == "":
		return a.Name
	}
	return a.Name + " <" + a.Addr + ">"
}

// parseAddressList parses an address header leniently. value is already
// UTF-8 (see headerText) but not RFC 2047-decoded. Groups ("team: a, b;")
// are flattened. It never fails: a piece that makes no sense becomes an
// Address with whatever could be recognised.
func parseAddressList(value string, probs *problems) []Address {
	var out []Address
	for _, piece := range splitAddresses(value) {
		piece = strings.TrimSpace(piece)
		if piece == "" {
			continue
		}
		var name, addr string
		if lt := lastUnquoted(piece, '<'); lt >= 0 {
			gt := strings.IndexByte(piece[lt:], '>')
			if gt < 0 {
				addr = piece[lt+1:]
			} else {
				addr = piece[lt+1 : lt+gt]
			}
			name = piece[:lt]
		} else {
			addr, name = splitComment(piece)
		}
		name = unquotePhrase(strings.TrimSpace(name))
		name = decodeWords(name, probs)
		addr = strings.TrimSpace(addr)
		if i := strings.LastIndexByte(addr, ':'); i >= 0 { // source route "@a,@b:x@y"
			addr = addr[i+1:]
		}
		addr = strings.Trim(addr, " \"'")
		if addr != "" && !strings.Contains(addr, "@") && name == "" {
			// A bare word: could be a name someone wrote without address.
			probs.add("message: address without @")
		}
		a := Address{Name: SanitizeLine(name), Addr: SanitizeLine(addr)}
		if a.Name == a.Addr {
			a.Name = ""
		}
		if a.Name == "" && a.Addr == "" {
			continue
		}
		out = append(out, a)
		if len(out) >= maxAddresses {
			probs.add("message: too many addresses; the rest ignored")
			break
		}
	}
	return out
}

// maxAddresses bounds the addresses kept per field.
const maxAddresses = 1000

// splitAddresses splits at commas and semicolons outside quotes, comments
// and angle brackets, dropping group names ("name:").
func splitAddresses(s string) []string {
	var out []string
	var cur strings.Builder
	inQuote, depth, angle := false, 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && (inQuote || depth > 0) && i+1 < len(s):
			cur.WriteByte(c)
			i++
			cur.WriteByte(s[i])
			continue
		case c == '"' && depth == 0:
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')' && depth > 0:
			depth--
		case depth > 0:
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case !angle && (c == ',' || c == ';'):
			out = append(out, cur.String())
			cur.Reset()
			continue
		case !angle && c == ':':
			// Group name: drop what came before. (A colon inside <…> is
			// a source route, handled by the caller.)
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(out, cur.String())
}

// lastUnquoted returns the index of the last c outside double quotes.
func lastUnquoted(s string, c byte) int {
	inQuote, idx := false, -1
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && inQuote:
			i++
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == c && !inQuote:
			idx = i
		}
	}
	return idx
}

// splitComment turns "addr (Name)" into addr and Name.
func splitComment(s string) (addr, comment string) {
	open := strings.IndexByte(s, '(')
	if open < 0 {
		return s, ""
	}
	closeIdx := strings.LastIndexByte(s, ')')
	if closeIdx < open {
		return s[:open], s[open+1:]
	}
	return s[:open] + s[closeIdx+1:], s[open+1 : closeIdx]
}

// unquotePhrase removes one level of double quotes and backslash escapes.
func unquotePhrase(s string) string {
	if !strings.ContainsAny(s, `"\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			continue
		case '\\':
			if i+1 < len(s) {
				i++
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// bracketed returns the contents of each <…> in s that holds no other
// angle bracket, left to right: what the regular expression <([^<>]*)>
// finds (TestBracketed), without its cost on every header of a sync.
func bracketed(s string) []string {
	var out []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return out
		}
		s = s[i+1:]
		j := strings.IndexAny(s, "<>")
		if j < 0 {
			return out
		}
		if s[j] == '<' {
			s = s[j:]
			continue
		}
		out = append(out, s[:j])
		s = s[j+1:]
	}
}

// parseMsgIDs extracts message identifiers: the contents of each <…>, or,
// when there are no brackets, each white-space separated word. Identifiers
// are normalised (white space and controls removed) and deduplicated in
// order.
func parseMsgIDs(value string) []string {
	value = stripComments(value)
	raw := bracketed(value)
	if len(raw) == 0 {
		raw = strings.Fields(value)
	}
	var out []string
	seen := make(map[string]bool)
	for _, id := range raw {
		id = normalizeMsgID(id)
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		if len(out) >= maxAddresses {
			break
		}
	}
	return out
}

// normalizeMsgID strips angle brackets, white space and control characters.
func normalizeMsgID(id string) string {
	id = strings.Trim(strings.TrimSpace(id), "<>")
	return strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f || (r >= 0x80 && r <= 0x9f) || isBidiControl(r) || isSpoofInvisible(r) {
			return -1
		}
		return r
	}, strings.ToValidUTF8(id, ""))
}

// firstMsgID is parseMsgIDs' first identifier, or "".
func firstMsgID(value string) string {
	if ids := parseMsgIDs(value); len(ids) > 0 {
		return ids[0]
	}
	return ""
}

// stripComments removes RFC 5322 comments outside quotes.
func stripComments(s string) string {
	if !strings.Contains(s, "(") {
		return s
	}
	var b strings.Builder
	depth, inQuote, angle := 0, false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' && depth == 0:
			inQuote = !inQuote
		case inQuote:
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case angle:
		case c == '(':
			depth++
			continue
		case c == ')' && depth > 0:
			depth--
			continue
		}
		if depth == 0 {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// dateLayouts are tried in order after net/mail.ParseDate fails.
func dateLayouts() []string {
	return []string{
		"Mon, 2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05 MST",
		"Mon, 2 Jan 2006 15:04 -0700",
		"2 Jan 2006 15:04:05 -0700",
		"Mon, 2 Jan 06 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04:05",
		"Mon Jan 2 15:04:05 2006",
		"Mon Jan 2 15:04:05 -0700 2006",
		"Mon Jan 2 15:04:05 MST 2006",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04:05Z07:00",
		"2006-01-02T15:04:05",
		"2006/01/02 15:04:05",
		"2006-01-02",
		"Monday, January 2, 2006 3:04 PM",
		"2 Jan 2006",
	}
}

// rfc5322Date is RFC 5322's date-time with the day of the week and a
// numeric zone (§3.3), as nearly all mail has it.
const rfc5322Date = "Mon, _2 Jan 2006 15:04:05 -0700"

var dateJunk = regexp.MustCompile(`\s*\([^)]*\)\s*$`)

// parseDate parses a Date header leniently; ok is false when nothing worked.
func parseDate(value string) (t time.Time, ok bool) {
	value = strings.Join(strings.Fields(value), " ")
	if value == "" {
		return time.Time{}, false
	}
	// Chinese servers write CST for China Standard Time, not US Central;
	// net/mail would take it as an unknown zone at offset zero.
	if strings.HasSuffix(value, " CST") {
		value = strings.TrimSuffix(value, " CST") + " +0800"
	}
	// The usual form first, in one try: mail.ParseDate tries two dozen
	// layouts before this one, each failure an allocated error, on every
	// header of a sync. It gives the same time for what this accepts.
	if t, err := time.Parse(rfc5322Date, value); err == nil {
		return t, true
	}
	if t, err := mail.ParseDate(value); err == nil {
		return t, true
	}
	v := dateJunk.ReplaceAllString(value, "")
	// Chinese servers write CST for China Standard Time, not US Central.
	if strings.HasSuffix(v, " GMT+0800") {
		v = strings.TrimSuffix(v, " GMT+0800") + " +0800"
	}
	if strings.HasSuffix(v, " CST") {
		v = strings.TrimSuffix(v, " CST") + " +0800"
	}
	v = strings.Replace(v, ",", ", ", 1)
	v = strings.Join(strings.Fields(v), " ")
	if t, err := mail.ParseDate(v); err == nil {
		return t, true
	}
	for _, layout := range dateLayouts() {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	// A comma-less day-of-week ("Mon 1 Jun 2026 …").
	if f := strings.Fields(v); len(f) > 1 && len(f[0]) == 3 {
		if t, err := mail.ParseDate(strings.Join(f[1:], " ")); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
