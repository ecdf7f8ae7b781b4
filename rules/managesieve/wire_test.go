package managesieve

import (
	"bufio"
	"strings"
	"testing"
)

var wireCases = []struct {
	in   string
	want []string // token texts; "(" and ")" for parentheses
}{
	{"\"IMPLEMENTATION\" \"Dovecot Pigeonhole\"\r\n", []string{"IMPLEMENTATION", "Dovecot Pigeonhole"}},
	{"OK (WARNINGS) \"line 3: unknown\"\r\n", []string{"OK", "(", "WARNINGS", ")", "line 3: unknown"}},
	{"NO (QUOTA/MAXSIZE) {12}\r\nline1\r\nline2\r\n", []string{"NO", "(", "QUOTA/MAXSIZE", ")", "line1\r\nline2"}},
	{"{9}\r\nrequire;\n\r\n", []string{"require;\n"}},
	{"\"a \\\"q\\\" \\\\ b\" ACTIVE\r\n", []string{`a "q" \ b`, "ACTIVE"}},
	{"OK (SASL \"dGVzdA==\") \"Logged in.\"\r\n", []string{"OK", "(", "SASL", "dGVzdA==", ")", "Logged in."}},
}

func TestReadLine(t *testing.T) {
	for _, c := range wireCases {
		toks, err := readLine(bufio.NewReader(strings.NewReader(c.in)))
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		var got []string
		for _, tk := range toks {
			switch tk.kind {
			case tokOpen:
				got = append(got, "(")
			case tokClose:
				got = append(got, ")")
			default:
				got = append(got, tk.s)
			}
		}
		if strings.Join(got, "|") != strings.Join(c.want, "|") {
			t.Errorf("%q:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
	for _, bad := range []string{"\"open", "{5}\r\nab", "{x}\r\n", "{99999999999}\r\n", "\"a\nb\"\r\n", "{3}ab"} {
		if _, err := readLine(bufio.NewReader(strings.NewReader(bad))); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	resp, ok := parseResponse(mustLine(t, "NO (NONEXISTENT) \"There is no script\"\r\n"))
	if !ok || resp.status != "NO" || resp.code != "NONEXISTENT" || resp.text != "There is no script" {
		t.Errorf("response %+v", resp)
	}
	if _, ok := parseResponse(mustLine(t, "\"name\" ACTIVE\r\n")); ok {
		t.Error("a data line taken for a response")
	}
}

func mustLine(t *testing.T, s string) []token {
	t.Helper()
	toks, err := readLine(bufio.NewReader(strings.NewReader(s)))
	if err != nil {
		t.Fatal(err)
	}
	return toks
}

// FuzzReadLine: a hostile server's bytes never panic the reader or make it
// read past its bounds.
func FuzzReadLine(f *testing.F) {
	for _, c := range wireCases {
		f.Add(c.in)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := bufio.NewReader(strings.NewReader(in))
		for range 10 {
			toks, err := readLine(r)
			if err != nil {
				return
			}
			parseResponse(toks)
		}
	})
}
