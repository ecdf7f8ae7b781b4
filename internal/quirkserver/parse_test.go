package quirkserver

import (
	"testing"
)

func cmdFrom(parts ...part) *command {
	c := &command{parts: parts}
	c.tag, c.name = parseTagName(parts[0].line)
	return c
}

func TestParseSearchShapes(t *testing.T) {
	for _, tc := range []struct {
		args  string
		shape searchShape
		err   bool
	}{
		{args: "ALL", shape: searchShape{keys: 1}},
		{args: "UID 1:*", shape: searchShape{keys: 1}},
		{args: "CHARSET UTF-8 SUBJECT x", shape: searchShape{keys: 1}},
		{args: "SEEN UNDELETED", shape: searchShape{keys: 2}},
		{args: "(ALL)", shape: searchShape{keys: 1, parens: true}},
		{args: "NOT (SEEN)", shape: searchShape{keys: 1, parens: true, not: true}},
		{args: "OR SEEN NEW", shape: searchShape{keys: 1, or: true}},
		{args: `HEADER "Message-ID" "<a@b>" SINCE 1-Jan-2026`, shape: searchShape{keys: 2}},
		{args: "RETURN (ALL) 1:5", shape: searchShape{keys: 1, ret: true}},
		{args: "BOGUS", err: true},
		{args: "OR SEEN", err: true},
	} {
		c := cmdFrom(part{line: []byte("a UID SEARCH " + tc.args + "\r\n")})
		toks, err := c.args()
		if err != nil {
			t.Fatalf("%s: %v", tc.args, err)
		}
		sh, err := parseSearch(toks)
		if (err != nil) != tc.err || err == nil && sh != tc.shape {
			t.Errorf("%s: %+v %v, want %+v err=%v", tc.args, sh, err, tc.shape, tc.err)
		}
	}
}

func TestSearchLiteralArgument(t *testing.T) {
	c := cmdFrom(
		part{line: []byte("a SEARCH CHARSET UTF-8 SUBJECT {6}\r\n"), lit: []byte("中文"), sync: true},
		part{line: []byte(" SEEN\r\n")},
	)
	toks, err := c.args()
	if err != nil {
		t.Fatal(err)
	}
	sh, err := parseSearch(toks)
	if err != nil || sh.keys != 2 || toks[3].kind != tokLiteral || toks[3].text != "中文" {
		t.Fatalf("%+v %v %+v", sh, err, toks)
	}
}

func TestDescendingRanges(t *testing.T) {
	for set, want := range map[string]bool{
		"1:5": false, "5:1": true, "1,7:3": true, "*:1": true, "1:*": false,
		"*": false, "*:*": false, "3": false, "2:2": false,
	} {
		if got := hasDescendingRange(set); got != want {
			t.Errorf("%s: %v", set, got)
		}
	}
}

func TestLiteralInfo(t *testing.T) {
	for line, want := range map[string]struct {
		n    int64
		sync bool
		ok   bool
	}{
		"a APPEND INBOX {12}\r\n":  {12, true, true},
		"a APPEND INBOX {12+}\r\n": {12, false, true},
		"a APPEND INBOX ~{3}\r\n":  {3, true, true},
		"a NOOP\r\n":               {},
		"a LOGIN {x}\r\n":          {},
		"* 1 FETCH (BODY[] {0}\n":  {0, true, true},
	} {
		n, sync, ok := literalInfo([]byte(line))
		if n != want.n || sync != want.sync || ok != want.ok {
			t.Errorf("%q: %d %v %v", line, n, sync, ok)
		}
	}
}

func TestModifiedUTF7(t *testing.T) {
	for plain, enc := range map[string]string{
		"已发送": "&XfJT0ZAB-", "INBOX": "INBOX", "A&B": "A&-B", "客户/重要": "&W6JiNw-/&kc2JgQ-",
	} {
		if got := encodeMUTF7(plain); got != enc {
			t.Errorf("encode %q = %q, want %q", plain, got, enc)
		}
		if got := decodeMUTF7(enc); got != plain {
			t.Errorf("decode %q = %q, want %q", enc, got, plain)
		}
	}
}

func TestStrictID(t *testing.T) {
	for args, ok := range map[string][2]bool{ // strict, RFC 2971
		`("name" "magpie" "version" "1.0")`: {true, true},
		`("na\"me" "x")`:                    {true, true},
		"NIL":                               {false, true},
		`("name" NIL)`:                      {false, true},
		`("name")`:                          {false, false},
	} {
		c := cmdFrom(part{line: []byte("a ID " + args + "\r\n")})
		toks, err := c.args()
		if err != nil {
			t.Fatal(err)
		}
		if _, got := parseStrictID(toks); got != ok[0] {
			t.Errorf("strict %s: %v", args, got)
		}
		if _, got := parseID(toks); got != ok[1] {
			t.Errorf("RFC 2971 %s: %v", args, got)
		}
	}
}
