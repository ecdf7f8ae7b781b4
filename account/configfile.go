package account

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"
)

// fileConfig is the on-disk shape of config.toml.
type fileConfig struct {
	Language string                `toml:"language,omitempty"`
	Editor   string                `toml:"editor,omitempty"`
	Calendar *fileCalendarSettings `toml:"calendar,omitempty"`
	Accounts []fileAccount         `toml:"account,omitempty"`
}

type fileAccount struct {
	Name           string         `toml:"name"`
	Email          string         `toml:"email"`
	DisplayName    string         `toml:"display_name,omitempty"`
	Kind           string         `toml:"kind,omitempty"`
	Provider       string         `toml:"provider,omitempty"`
	Username       string         `toml:"username,omitempty"`
	AuthorizeAs    string         `toml:"authorize_as,omitempty"`
	PasswordCmd    string         `toml:"password_cmd,omitempty"`
	CAFile         string         `toml:"ca_file,omitempty"`
	MaxConnections int            `toml:"max_connections,omitempty"`
	Bodies         string         `toml:"bodies,omitempty"`
	Sieve          string         `toml:"sieve,omitempty"`
	IMAP           *fileEndpoint  `toml:"imap,omitempty"`
	SMTP           *fileEndpoint  `toml:"smtp,omitempty"`
	POP3           *fileEndpoint  `toml:"pop3,omitempty"`
	SignatureNew   string         `toml:"signature_new,omitempty"`
	SignatureReply string         `toml:"signature_reply,omitempty"`
	SentCopy       string         `toml:"sent_copy,omitempty"`
	Aliases        []fileIdentity `toml:"alias,omitempty"`
	Groups         []fileIdentity `toml:"group,omitempty"`
	CalDAV         *fileCalDAV    `toml:"caldav,omitempty"`
}

type fileEndpoint struct {
	Host     string `toml:"host"`
	Port     int    `toml:"port"`
	Security string `toml:"security"`
}

type fileIdentity struct {
	Address        string `toml:"address"`
	Name           string `toml:"name,omitempty"`
	SignatureNew   string `toml:"signature_new,omitempty"`
	SignatureReply string `toml:"signature_reply,omitempty"`
}

func (f fileAccount) toAccount() (Account, error) {
	kind, err := ParseKind(f.Kind)
	if err != nil {
		return Account{}, &FieldError{Field: "kind", Err: err}
	}
	bodies, err := ParseBodyPolicy(f.Bodies)
	if err != nil {
		return Account{}, &FieldError{Field: "bodies", Err: err}
	}
	sieve, err := ParseSieveSetting(f.Sieve)
	if err != nil {
		return Account{}, &FieldError{Field: "sieve", Err: err}
	}
	a := Account{
		Sieve: sieve,
		Name:  f.Name, Email: f.Email, DisplayName: f.DisplayName, Kind: kind,
		Provider: f.Provider, Username: f.Username, AuthorizeAs: f.AuthorizeAs,
		PasswordCmd: f.PasswordCmd, CAFile: f.CAFile, MaxConnections: f.MaxConnections, Bodies: bodies,
		IMAP: f.IMAP.endpoint(), SMTP: f.SMTP.endpoint(), POP3: f.POP3.endpoint(),
		SignatureNew: f.SignatureNew, SignatureReply: f.SignatureReply,
		CalDAV: f.CalDAV.calDAV(),
	}
	sc, err := ParseSentCopy(f.SentCopy)
	if err != nil {
		return Account{}, &FieldError{Field: "sent_copy", Err: err}
	}
	a.SentCopy = sc
	for _, id := range f.Aliases {
		a.Aliases = append(a.Aliases, id.identity(IdentityAlias))
	}
	for _, id := range f.Groups {
		a.Groups = append(a.Groups, id.identity(IdentityGroup))
	}
	return a, nil
}

func (f fileIdentity) identity(kind IdentityKind) Identity {
	return Identity{Address: f.Address, Name: f.Name, Kind: kind,
		SignatureNew: f.SignatureNew, SignatureReply: f.SignatureReply}
}

func toFileIdentity(id Identity) fileIdentity {
	return fileIdentity{Address: id.Address, Name: id.Name,
		SignatureNew: id.SignatureNew, SignatureReply: id.SignatureReply}
}

func (f *fileEndpoint) endpoint() Endpoint {
	if f == nil {
		return Endpoint{}
	}
	return Endpoint{Host: f.Host, Port: f.Port, Security: Security(f.Security)}
}

func fromAccount(a Account) fileAccount {
	f := fileAccount{
		Name: a.Name, Email: a.Email, DisplayName: a.DisplayName, Kind: string(a.Kind),
		Provider: a.Provider, Username: a.Username, AuthorizeAs: a.AuthorizeAs,
		PasswordCmd: a.PasswordCmd, CAFile: a.CAFile, MaxConnections: a.MaxConnections,
		IMAP: toFileEndpoint(a.IMAP), SMTP: toFileEndpoint(a.SMTP), POP3: toFileEndpoint(a.POP3),
		SignatureNew: a.SignatureNew, SignatureReply: a.SignatureReply, SentCopy: string(a.SentCopy),
		CalDAV: toFileCalDAV(a.CalDAV),
	}
	if a.Bodies != (BodyPolicy{}) {
		f.Bodies = a.Bodies.String()
	}
	f.Sieve = a.Sieve.String()
	for _, id := range a.Aliases {
		f.Aliases = append(f.Aliases, toFileIdentity(id))
	}
	for _, id := range a.Groups {
		f.Groups = append(f.Groups, toFileIdentity(id))
	}
	return f
}

func toFileEndpoint(e Endpoint) *fileEndpoint {
	if e.IsZero() {
		return nil
	}
	return &fileEndpoint{Host: e.Host, Port: e.Port, Security: string(e.Security)}
}

// header is a table header in a TOML document.
type header struct {
	line int
	path string // e.g. "account[2]" or "account[2].imap"
}

// scanTOML walks data's expressions and returns the line of every key and
// table (keyed as account[N].imap.port, 1-based array indexes) and the table
// headers in order. Malformed data yields what was read before the error.
func scanTOML(data []byte) (map[string]int, []header) {
	lines := map[string]int{}
	var headers []header
	arrays := map[string]int{}
	p := unstable.Parser{}
	p.Reset(data)
	table := ""
	lineOf := func(n *unstable.Node) int {
		defer func() { _ = recover() }() // a key not backed by data has no position
		return p.Shape(p.Range(n.Data)).Start.Line
	}
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			var parts []string
			var line int
			it := e.Key()
			for it.Next() {
				if line == 0 {
					line = lineOf(it.Node())
				}
				parts = append(parts, string(it.Node().Data))
			}
			path := ""
			for i, part := range parts {
				next := part
				if path != "" {
					next = path + "." + part
				}
				if i == len(parts)-1 && e.Kind == unstable.ArrayTable {
					arrays[next]++
					next = fmt.Sprintf("%s[%d]", next, arrays[next])
				} else if n, ok := arrays[next]; ok {
					next = fmt.Sprintf("%s[%d]", next, n)
				}
				path = next
			}
			table = path
			lines[path] = line
			headers = append(headers, header{line: line, path: path})
		case unstable.KeyValue:
			var parts []string
			var line int
			it := e.Key()
			for it.Next() {
				if line == 0 {
					line = lineOf(it.Node())
				}
				parts = append(parts, string(it.Node().Data))
			}
			key := strings.Join(parts, ".")
			if table != "" {
				key = table + "." + key
			}
			lines[key] = line
		}
	}
	return lines, headers
}

func keyLines(data []byte) map[string]int {
	lines, _ := scanTOML(data)
	return lines
}

// parentKey drops the last element of a dotted key: "a[1].b.c" → "a[1].b",
// "a[1]" → "".
func parentKey(k string) string {
	if i := strings.LastIndexByte(k, '.'); i >= 0 {
		return k[:i]
	}
	return ""
}

// cutAccountBlock removes the idx-th (0-based) [[account]] table, its
// sub-tables and the comment lines right above it.
func cutAccountBlock(data []byte, idx int) ([]byte, error) {
	_, headers := scanTOML(data)
	self := fmt.Sprintf("account[%d]", idx+1)
	start, end := 0, 0
	for _, h := range headers {
		switch {
		case h.path == self:
			start = h.line
		case start > 0 && end == 0 && !strings.HasPrefix(h.path, self+"."):
			end = h.line
		}
	}
	if start == 0 {
		return nil, fmt.Errorf("account: %w: account block %d not found in config", ErrNotFound, idx+1)
	}
	rows := bytes.SplitAfter(data, []byte("\n"))
	if end == 0 {
		end = len(rows) + 1
	}
	// Comments directly above a header belong to that header's block.
	for end <= len(rows) && end-1 > start && bytes.HasPrefix(bytes.TrimSpace(rows[end-2]), []byte("#")) {
		end--
	}
	for start > 1 && bytes.HasPrefix(bytes.TrimSpace(rows[start-2]), []byte("#")) {
		start--
	}
	var out bytes.Buffer
	for i, r := range rows {
		if i+1 < start || i+1 >= end {
			out.Write(r)
		}
	}
	return bytes.ReplaceAll(out.Bytes(), []byte("\n\n\n"), []byte("\n\n")), nil
}
