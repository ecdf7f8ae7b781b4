package quirkserver

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// part is one line of a client command as received, including its CRLF and,
// when the line ends in a literal announcement (RFC 3501 section 4.3, RFC
// 7888), the literal bytes that followed it.
type part struct {
	line []byte
	lit  []byte // nil when the line does not announce a literal
	sync bool   // the announcement was {N} rather than {N+}
}

// command is a complete client command.
type command struct {
	tag   string
	name  string // upper case; "UID FETCH" for UID commands
	parts []part
	// reply, when set, is the complete tagged response the proxy sends
	// instead of acting on the command (decided while reading literals).
	reply string
}

// literalInfo parses a literal announcement at the end of line: "{N}",
// "{N+}" or the binary form "~{N}" (RFC 3516).
func literalInfo(line []byte) (n int64, sync, ok bool) {
	l := bytes.TrimRight(line, "\r\n")
	if len(l) < 3 || l[len(l)-1] != '}' {
		return 0, false, false
	}
	open := bytes.LastIndexByte(l, '{')
	if open < 0 {
		return 0, false, false
	}
	num := l[open+1 : len(l)-1]
	sync = true
	if len(num) > 0 && num[len(num)-1] == '+' {
		sync = false
		num = num[:len(num)-1]
	}
	if len(num) == 0 {
		return 0, false, false
	}
	n, err := strconv.ParseInt(string(num), 10, 64)
	if err != nil || n < 0 {
		return 0, false, false
	}
	return n, sync, true
}

// parseTagName extracts the tag and upper-cased command name from a
// command's first line; for UID commands the name includes the sub-command.
func parseTagName(line []byte) (tag, name string) {
	fields := strings.Fields(strings.TrimRight(string(line), "\r\n"))
	if len(fields) > 0 {
		tag = fields[0]
	}
	if len(fields) > 1 {
		name = strings.ToUpper(fields[1])
	}
	if name == "UID" && len(fields) > 2 {
		name += " " + strings.ToUpper(fields[2])
	}
	if strings.HasSuffix(name, "}") { // "A1 {3}" is not a command name
		name = ""
	}
	return tag, name
}

// tokKind classifies an argument token.
type tokKind uint8

const (
	tokAtom tokKind = iota // includes NIL, numbers, sequence sets, flags
	tokQuoted
	tokLiteral
	tokList
)

// token is one argument of a command, with literals already resolved.
type token struct {
	kind tokKind
	text string  // atom text, quoted content (unescaped) or literal bytes
	list []token // for tokList
}

var errSyntax = errors.New("quirkserver: command syntax error")

// tokenizer walks the parts of a command.
type tokenizer struct {
	parts []part
	i     int // current part
	pos   int // offset in parts[i].line
}

func (z *tokenizer) cur() []byte {
	if z.i >= len(z.parts) {
		return nil
	}
	return bytes.TrimRight(z.parts[z.i].line, "\r\n")
}

// args tokenizes everything after the command name.
func (c *command) args() ([]token, error) {
	if len(c.parts) == 0 {
		return nil, errSyntax
	}
	z := &tokenizer{parts: c.parts}
	skip := 2
	if strings.HasPrefix(c.name, "UID ") {
		skip = 3
	}
	line := z.cur()
	for n := 0; n < skip; n++ {
		for z.pos < len(line) && line[z.pos] == ' ' {
			z.pos++
		}
		for z.pos < len(line) && line[z.pos] != ' ' {
			z.pos++
		}
	}
	return z.list(0)
}

// list reads tokens until the end of the command (close == 0) or until the
// closing byte close.
func (z *tokenizer) list(close byte) ([]token, error) {
	var out []token
	for {
		line := z.cur()
		for z.pos < len(line) && line[z.pos] == ' ' {
			z.pos++
		}
		if z.pos >= len(line) {
			if close != 0 || z.i < len(z.parts)-1 {
				return nil, errSyntax
			}
			return out, nil
		}
		c := line[z.pos]
		switch {
		case c == close:
			z.pos++
			return out, nil
		case c == ')':
			return nil, errSyntax
		case c == '(':
			z.pos++
			sub, err := z.list(')')
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tokList, list: sub})
		case c == '"':
			s, err := z.quoted()
			if err != nil {
				return nil, err
			}
			out = append(out, token{kind: tokQuoted, text: s})
		case (c == '{' || c == '~') && z.atLiteral():
			out = append(out, token{kind: tokLiteral, text: string(z.parts[z.i].lit)})
			z.i++
			z.pos = 0
		default:
			out = append(out, token{kind: tokAtom, text: z.atom()})
		}
	}
}

// atLiteral reports whether the rest of the current line is a literal
// announcement.
func (z *tokenizer) atLiteral() bool {
	p := z.parts[z.i]
	if p.lit == nil {
		return false
	}
	_, _, ok := literalInfo(z.cur()[z.pos:])
	return ok && bytes.IndexByte(z.cur()[z.pos:], ' ') < 0
}

func (z *tokenizer) quoted() (string, error) {
	line := z.cur()
	var b strings.Builder
	for z.pos++; z.pos < len(line); z.pos++ {
		switch c := line[z.pos]; c {
		case '"':
			z.pos++
			return b.String(), nil
		case '\\':
			z.pos++
			if z.pos >= len(line) {
				return "", errSyntax
			}
			b.WriteByte(line[z.pos])
		default:
			b.WriteByte(c)
		}
	}
	return "", errSyntax
}

// atom reads an atom; a "[...]" section (as in BODY[HEADER.FIELDS (A B)])
// is part of the atom, spaces and parentheses included.
func (z *tokenizer) atom() string {
	line := z.cur()
	start := z.pos
	depth := 0
	for ; z.pos < len(line); z.pos++ {
		c := line[z.pos]
		if c == '[' {
			depth++
		} else if c == ']' && depth > 0 {
			depth--
		} else if depth == 0 && (c == ' ' || c == '(' || c == ')') {
			break
		}
	}
	return string(line[start:z.pos])
}

// walk calls f for every token, descending into lists.
func walk(toks []token, f func(token)) {
	for _, t := range toks {
		f(t)
		if t.kind == tokList {
			walk(t.list, f)
		}
	}
}

// isSeqSet reports whether s looks like a sequence set (RFC 3501 section 9).
func isSeqSet(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c == '*' || c == ':' || c == ',') {
			return false
		}
	}
	return true
}

// hasDescendingRange reports whether a sequence set contains a range N:M
// with N > M, '*' being the largest number.
func hasDescendingRange(set string) bool {
	num := func(s string) uint64 {
		if s == "*" {
			return 1<<32 - 1
		}
		n, _ := strconv.ParseUint(s, 10, 32)
		return n
	}
	for _, r := range strings.Split(set, ",") {
		lo, hi, ok := strings.Cut(r, ":")
		if ok && num(lo) > num(hi) {
			return true
		}
	}
	return false
}

// searchArity is the number of arguments a SEARCH key takes (RFC 3501
// section 6.4.4, RFC 7162, Gmail's X-GM-*); -1 for an unknown key.
func searchArity(key string) int {
	switch strings.ToUpper(key) {
	case "ALL", "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "NEW", "OLD",
		"RECENT", "SEEN", "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED",
		"UNSEEN", "$":
		return 0
	case "BCC", "BEFORE", "BODY", "CC", "FROM", "KEYWORD", "LARGER", "ON",
		"SENTBEFORE", "SENTON", "SENTSINCE", "SINCE", "SMALLER", "SUBJECT",
		"TEXT", "TO", "UID", "UNKEYWORD", "OLDER", "YOUNGER", "MODSEQ",
		"X-GM-RAW", "X-GM-MSGID", "X-GM-THRID", "X-GM-LABELS":
		return 1
	case "HEADER":
		return 2
	}
	if isSeqSet(key) {
		return 0
	}
	return -1
}

// searchShape describes the criteria of a SEARCH command.
type searchShape struct {
	keys   int  // top-level keys
	parens bool // a parenthesised group appears
	or     bool
	not    bool
	ret    bool // ESEARCH RETURN options (RFC 4731)
}

// parseSearch analyses SEARCH arguments: [RETURN (...)] [CHARSET x] keys.
func parseSearch(toks []token) (searchShape, error) {
	var sh searchShape
	if len(toks) >= 2 && toks[0].kind == tokAtom && strings.EqualFold(toks[0].text, "RETURN") {
		sh.ret = true
		toks = toks[2:]
	}
	if len(toks) >= 2 && toks[0].kind == tokAtom && strings.EqualFold(toks[0].text, "CHARSET") {
		toks = toks[2:]
	}
	var key func() error
	key = func() error {
		if len(toks) == 0 {
			return errSyntax
		}
		t := toks[0]
		toks = toks[1:]
		if t.kind == tokList {
			sh.parens = true
			rest := toks
			toks = t.list
			for len(toks) > 0 {
				if err := key(); err != nil {
					return err
				}
			}
			toks = rest
			return nil
		}
		if t.kind != tokAtom {
			return errSyntax
		}
		switch strings.ToUpper(t.text) {
		case "NOT":
			sh.not = true
			return key()
		case "OR":
			sh.or = true
			if err := key(); err != nil {
				return err
			}
			return key()
		}
		n := searchArity(t.text)
		if n < 0 || len(toks) < n {
			return errSyntax
		}
		toks = toks[n:]
		return nil
	}
	for len(toks) > 0 {
		sh.keys++
		if err := key(); err != nil {
			return sh, err
		}
	}
	if sh.keys == 0 {
		return sh, errSyntax
	}
	return sh, nil
}

// rejects reports whether rule refuses a search of this shape.
func (r searchRule) rejects(sh searchShape) bool {
	return r&searchNoParens != 0 && sh.parens ||
		r&searchNoOr != 0 && sh.or ||
		r&searchNoNot != 0 && sh.not ||
		r&searchNoMulti != 0 && sh.keys > 1
}

// usesCondstore reports whether a command carries a CONDSTORE/QRESYNC
// modifier (RFC 7162): CHANGEDSINCE, UNCHANGEDSINCE, MODSEQ, (CONDSTORE)...
func usesCondstore(name string, toks []token) bool {
	switch name {
	case "FETCH", "UID FETCH", "STORE", "UID STORE", "SEARCH", "UID SEARCH":
	case "SELECT", "EXAMINE", "STATUS":
		if len(toks) == 0 {
			return false
		}
		toks = toks[1:] // the mailbox name
	default:
		return false
	}
	found := false
	walk(toks, func(t token) {
		if t.kind != tokAtom {
			return
		}
		switch strings.ToUpper(t.text) {
		case "CHANGEDSINCE", "UNCHANGEDSINCE", "MODSEQ", "CONDSTORE", "QRESYNC",
			"HIGHESTMODSEQ", "VANISHED":
			found = true
		}
	})
	return found
}

// listExtension classifies a LIST command (RFC 5258): ext is true for any
// extended form, specialUseOnly when the only extension is RETURN
// (SPECIAL-USE) of RFC 6154.
func listExtension(toks []token) (ext, specialUseOnly bool) {
	if len(toks) < 2 {
		return false, false
	}
	if toks[0].kind == tokList || toks[1].kind == tokList {
		return true, false
	}
	if len(toks) == 2 {
		return false, false
	}
	if len(toks) == 4 && strings.EqualFold(toks[2].text, "RETURN") && toks[3].kind == tokList &&
		len(toks[3].list) == 1 && strings.EqualFold(toks[3].list[0].text, "SPECIAL-USE") {
		return true, true
	}
	return true, false
}

// parseStrictID parses the arguments of ID as NetEase accepts them: a
// non-empty parenthesised list of quoted strings, in key/value pairs.
func parseStrictID(toks []token) (map[string]string, bool) {
	if len(toks) != 1 || toks[0].kind != tokList || len(toks[0].list) == 0 || len(toks[0].list)%2 != 0 {
		return nil, false
	}
	m := make(map[string]string)
	l := toks[0].list
	for i := 0; i < len(l); i += 2 {
		if l[i].kind != tokQuoted || l[i+1].kind != tokQuoted {
			return nil, false
		}
		m[l[i].text] = l[i+1].text
	}
	return m, true
}

// parseID parses ID arguments per RFC 2971 section 4: NIL or a list of
// string/nstring pairs. A NIL value is recorded as "".
func parseID(toks []token) (map[string]string, bool) {
	if len(toks) == 1 && toks[0].kind == tokAtom && strings.EqualFold(toks[0].text, "NIL") {
		return map[string]string{}, true
	}
	if len(toks) != 1 || toks[0].kind != tokList || len(toks[0].list)%2 != 0 {
		return nil, false
	}
	m := make(map[string]string)
	l := toks[0].list
	for i := 0; i < len(l); i += 2 {
		k, v := l[i], l[i+1]
		if k.kind != tokQuoted && k.kind != tokLiteral {
			return nil, false
		}
		switch {
		case v.kind == tokQuoted || v.kind == tokLiteral:
			m[k.text] = v.text
		case v.kind == tokAtom && strings.EqualFold(v.text, "NIL"):
			m[k.text] = ""
		default:
			return nil, false
		}
	}
	return m, true
}

// quoteString renders s as an IMAP quoted string (RFC 3501 section 4.3).
func quoteString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// needsLiteral reports whether s cannot be sent as a quoted string.
func needsLiteral(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '\r' || c == '\n' || c == 0 || c >= 0x80 {
			return true
		}
	}
	return false
}
