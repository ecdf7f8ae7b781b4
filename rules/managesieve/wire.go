package managesieve

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxLiteral bounds a literal the server sends (a script or a message); a
// larger one is a broken or hostile server.
const maxLiteral = 16 << 20

// maxLine bounds one response line outside literals.
const maxLine = 64 << 10

type tokenKind int

const (
	tokAtom tokenKind = iota
	tokString
	tokOpen
	tokClose
)

type token struct {
	kind tokenKind
	s    string
}

// ErrProtocol means the server sent something RFC 5804 does not allow.
var ErrProtocol = errors.New("managesieve: protocol error")

// readLine reads one response line of tokens (RFC 5804 §4): atoms, quoted
// strings, literals {N} (whose bytes may span lines) and parentheses, up to
// the CRLF that ends the line.
func readLine(r *bufio.Reader) ([]token, error) {
	var toks []token
	n := 0
	for {
		b, err := r.ReadByte()
		if err != nil {
			return nil, eof(err)
		}
		if n++; n > maxLine {
			return nil, fmt.Errorf("%w: line too long", ErrProtocol)
		}
		switch {
		case b == '\r':
			continue
		case b == '\n':
			return toks, nil
		case b == ' ':
		case b == '(':
			toks = append(toks, token{kind: tokOpen})
		case b == ')':
			toks = append(toks, token{kind: tokClose})
		case b == '"':
			s, err := readQuoted(r)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, s: s})
		case b == '{':
			s, err := readLiteral(r)
			if err != nil {
				return nil, err
			}
			toks = append(toks, token{kind: tokString, s: s})
		default:
			var sb strings.Builder
			sb.WriteByte(b)
			for {
				c, err := r.ReadByte()
				if err != nil {
					return nil, eof(err)
				}
				if c == ' ' || c == '\r' || c == '\n' || c == '(' || c == ')' || c == '"' {
					_ = r.UnreadByte()
					break
				}
				if sb.Len() > maxLine {
					return nil, fmt.Errorf("%w: atom too long", ErrProtocol)
				}
				sb.WriteByte(c)
			}
			toks = append(toks, token{kind: tokAtom, s: sb.String()})
		}
	}
}

func eof(err error) error {
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("managesieve: connection closed: %w", io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("managesieve: read: %w", err)
}

// readQuoted reads the rest of a quoted string; "\" escapes " and \
// (RFC 5804 §4, quoted-specials).
func readQuoted(r *bufio.Reader) (string, error) {
	var sb strings.Builder
	for {
		c, err := r.ReadByte()
		if err != nil {
			return "", eof(err)
		}
		switch c {
		case '"':
			return sb.String(), nil
		case '\\':
			if c, err = r.ReadByte(); err != nil {
				return "", eof(err)
			}
		case '\r', '\n':
			return "", fmt.Errorf("%w: line break in a quoted string", ErrProtocol)
		}
		if sb.Len() > maxLine {
			return "", fmt.Errorf("%w: quoted string too long", ErrProtocol)
		}
		sb.WriteByte(c)
	}
}

// readLiteral reads "N}" or "N+}", the CRLF, and N octets.
func readLiteral(r *bufio.Reader) (string, error) {
	spec, err := r.ReadString('}')
	if err != nil {
		return "", eof(err)
	}
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimSuffix(spec, "}"), "+"))
	if err != nil || n < 0 || n > maxLiteral {
		return "", fmt.Errorf("%w: literal {%s", ErrProtocol, spec)
	}
	for _, want := range []byte("\r\n") {
		c, err := r.ReadByte()
		if err != nil {
			return "", eof(err)
		}
		if c != want {
			return "", fmt.Errorf("%w: literal not followed by CRLF", ErrProtocol)
		}
	}
	// Grow with the data that arrives rather than trusting the announced
	// size up front.
	var sb strings.Builder
	if _, err := io.CopyN(&sb, r, int64(n)); err != nil {
		return "", eof(err)
	}
	return sb.String(), nil
}

// writeString writes s as a quoted string when it can be one, else as a
// non-synchronising literal {N+} (RFC 5804 §4: servers must accept those).
func writeString(w *bufio.Writer, s string) {
	if len(s) < 1024 && !strings.ContainsAny(s, "\r\n\"\\\x00") {
		w.WriteString(`"` + s + `"`)
		return
	}
	fmt.Fprintf(w, "{%d+}\r\n%s", len(s), s)
}

// response is the final line of a command: OK, NO or BYE with an optional
// response code (atom plus arguments) and human-readable text.
type response struct {
	status string // "OK", "NO", "BYE"
	code   string // e.g. "QUOTA/MAXSIZE", "NONEXISTENT", "" when none
	arg    string // first argument of the code, e.g. SASL's data
	text   string
}

// parseResponse reports whether toks is a final response and decodes it.
func parseResponse(toks []token) (response, bool) {
	if len(toks) == 0 || toks[0].kind != tokAtom {
		return response{}, false
	}
	st := strings.ToUpper(toks[0].s)
	if st != "OK" && st != "NO" && st != "BYE" {
		return response{}, false
	}
	resp := response{status: st}
	rest := toks[1:]
	if len(rest) > 0 && rest[0].kind == tokOpen {
		depth := 0
		i := 0
		for ; i < len(rest); i++ {
			switch rest[i].kind {
			case tokOpen:
				depth++
			case tokClose:
				depth--
			case tokAtom:
				if resp.code == "" {
					resp.code = strings.ToUpper(rest[i].s)
				}
			case tokString:
				if resp.arg == "" {
					resp.arg = rest[i].s
				}
			}
			if depth == 0 {
				break
			}
		}
		rest = rest[min(i+1, len(rest)):]
	}
	if len(rest) > 0 {
		resp.text = rest[0].s
	}
	return resp, true
}
