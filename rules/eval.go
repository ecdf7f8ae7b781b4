package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/textproto"
	"regexp"
	"strings"

	"golang.org/x/text/encoding/htmlindex"

	"github.com/magpie-mail/magpie/message"
)

// Message is what client-side rules look at: the decoded fields of one
// message. Build it with NewMessage.
type Message struct {
	From, To, Cc  []message.Address
	Subject       string
	Body          string // readable text
	Size          int64
	HasAttachment bool
	header        textproto.MIMEHeader // raw top-level fields
}

// NewMessage parses raw (a whole RFC 5322 message) for evaluation; size is
// the server's RFC822.SIZE (0: len(raw)). Malformed mail never fails: what
// can be read is used.
func NewMessage(raw []byte, size int64) Message {
	if size <= 0 {
		size = int64(len(raw))
	}
	m := Message{Size: size}
	if p, err := message.Parse(raw); err == nil {
		m.From, m.To, m.Cc = p.From, p.To, p.Cc
		m.Subject, m.Body, m.HasAttachment = p.Subject, p.Text, p.HasAttachments
	}
	r := textproto.NewReader(bufio.NewReader(bytes.NewReader(raw)))
	m.header, _ = r.ReadMIMEHeader() // a broken header still yields the fields before the break
	return m
}

// wordDecoder decodes RFC 2047 words in any charset golang.org/x/text
// knows (GBK, GB18030, Big5 …), as Sieve's header test does (RFC 5228
// §2.7.2).
func wordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: func(charset string, in io.Reader) (io.Reader, error) {
		enc, err := htmlindex.Get(charset)
		if err != nil {
			return nil, fmt.Errorf("rules: charset %q: %w", charset, err)
		}
		return enc.NewDecoder().Reader(in), nil
	}}
}

func (m Message) headerValues(name string) []string {
	decoder := wordDecoder()
	var out []string
	for _, v := range m.header.Values(name) {
		if d, err := decoder.DecodeHeader(v); err == nil {
			v = d
		}
		out = append(out, v)
	}
	return out
}

// Outcome is what the rules decided for one message, in Sieve's terms:
// the folders it is filed into, whether the implicit keep (the message
// stays where it is) still holds, and the flags it gets.
type Outcome struct {
	Matched  []string // names of the rules that matched, in order
	Blocked  bool     // the block list sent it to Junk
	Folders  []string // filed into these folders (fileinto; Junk and Trash included), in order, no repeats
	Keep     bool     // the original stays where it is
	Seen     bool
	Flagged  bool
	Keywords []string
	// Forward lists addresses to redirect a copy to. Client-side rules do
	// not send mail: callers report these as not done.
	Forward []string
}

// Moves reports whether the message leaves its folder.
func (o Outcome) Moves() bool { return !o.Keep && len(o.Folders) > 0 }

// Evaluate runs the set over m as the compiled script would on the server
// (block list, then enabled rules in order; vacation and included scripts
// are the server's alone). folder is the folder m is in: filing into it
// again counts as keeping it.
func (s Set) Evaluate(m Message, folder string, o CompileOptions) Outcome {
	out := Outcome{Keep: true}
	file := func(f string, copy bool) {
		if !copy {
			out.Keep = false
		}
		if strings.EqualFold(f, folder) || (strings.EqualFold(folder, "INBOX") && strings.EqualFold(f, "inbox")) {
			out.Keep = true
			return
		}
		for _, g := range out.Folders {
			if g == f {
				return
			}
		}
		out.Folders = append(out.Folders, f)
	}
	if len(s.Block) > 0 && senderIn(m, s.Block) && !senderIn(m, s.Allow) {
		out.Blocked = true
		file(o.junk(), false)
		return out
	}
	for _, r := range s.Rules {
		if r.Disabled || !r.matches(m) {
			continue
		}
		out.Matched = append(out.Matched, r.Name)
		for _, a := range r.Actions {
			switch a.Kind {
			case ActionRead:
				out.Seen = true
			case ActionFlag:
				out.Flagged = true
			case ActionKeyword:
				out.Keywords = append(out.Keywords, a.Arg)
			case ActionMove:
				file(a.Arg, false)
			case ActionCopy:
				file(a.Arg, true)
			case ActionDelete:
				file(o.trash(), false)
			case ActionForward:
				out.Forward = append(out.Forward, a.Arg)
			case ActionStop:
				return out
			}
		}
	}
	return out
}

func senderIn(m Message, list []string) bool {
	for _, f := range m.From {
		addr := strings.ToLower(f.Addr)
		for _, e := range list {
			e = strings.ToLower(e)
			if addr == e || (strings.HasPrefix(e, "@") && strings.HasSuffix(addr, e)) {
				return true
			}
		}
	}
	return false
}

func (r Rule) matches(m Message) bool {
	for _, c := range r.Conditions {
		ok := c.matches(m)
		if r.Any && ok {
			return true
		}
		if !r.Any && !ok {
			return false
		}
	}
	return !r.Any
}

func (c Condition) matches(m Message) bool {
	return c.test(m) != c.Not
}

func (c Condition) test(m Message) bool {
	addrs := func() []message.Address {
		switch c.Field {
		case FieldFrom:
			return m.From
		case FieldTo:
			return m.To
		case FieldCc:
			return m.Cc
		}
		return append(append([]message.Address{}, m.To...), m.Cc...)
	}
	switch c.Field {
	case FieldFrom, FieldTo, FieldCc, FieldRecipient:
		for _, a := range addrs() {
			v := a.Addr
			if c.Match == MatchContains {
				v = a.String() // the whole header, display name included
			}
			if matchValue(c.Match, v, c.Value) {
				return true
			}
		}
	case FieldIdentity:
		for _, a := range addrs() {
			if strings.EqualFold(a.Addr, c.Value) {
				return true
			}
		}
	case FieldSubject:
		return matchValue(c.Match, m.Subject, c.Value)
	case FieldBody:
		return matchValue(c.Match, m.Body, c.Value)
	case FieldHeader:
		for _, v := range m.headerValues(c.Header) {
			if matchValue(c.Match, v, c.Value) {
				return true
			}
		}
	case FieldAttachment:
		return m.HasAttachment
	case FieldSize:
		if c.Match == MatchOver {
			return m.Size > c.Size
		}
		return m.Size < c.Size
	}
	return false
}

// matchValue compares with the i;ascii-casemap comparator (RFC 4790 §9.2):
// ASCII letters fold, everything else (Chinese included) compares exactly.
func matchValue(kind Match, v, key string) bool {
	switch kind {
	case MatchContains:
		return strings.Contains(asciiLower(v), asciiLower(key))
	case MatchIs:
		return asciiLower(v) == asciiLower(key)
	case MatchMatches:
		return glob(asciiLower(key), asciiLower(v))
	case MatchRegex:
		re, err := regexp.Compile("(?i)" + key)
		return err == nil && re.MatchString(v)
	}
	return false
}

func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// glob is Sieve's :matches (RFC 5228 §2.7.1): "*" matches any run of
// characters, "?" exactly one, and "\" makes the next character literal.
func glob(pattern, s string) bool {
	p, t := []rune(pattern), []rune(s)
	var star, mark = -1, 0
	i, j := 0, 0
	for j < len(t) {
		switch {
		case i < len(p) && p[i] == '*':
			star, mark = i, j
			i++
		case i < len(p) && (p[i] == '?' || literalAt(p, i) == t[j]):
			if p[i] == '\\' && i+1 < len(p) {
				i++
			}
			i++
			j++
		case star >= 0:
			i, mark = star+1, mark+1
			j = mark
		default:
			return false
		}
	}
	for i < len(p) && p[i] == '*' {
		i++
	}
	return i == len(p)
}

// literalAt is the character pattern position i stands for, after "\".
func literalAt(p []rune, i int) rune {
	if p[i] == '\\' && i+1 < len(p) {
		return p[i+1]
	}
	return p[i]
}
