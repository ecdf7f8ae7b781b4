package migrate

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// dovecotRoles are the special-use folders the harness's Dovecot creates.
var dovecotRoles = map[string]string{"sent": "Sent", "drafts": "Drafts", "trash": "Trash", "junk": "Junk", "archive": "Archive"}

func dovecotSide(t *testing.T, d *testenv.DovecotServer, u testenv.User) Side {
	t.Helper()
	ep, err := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	if err != nil {
		t.Fatal(err)
	}
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), u.Name, u.Password)
	return Side{
		Account: account.Account{Name: u.Name, Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile},
		Dialer:  &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second},
	}
}

// plainSide is an account on a plaintext loopback server (a quirkserver).
func plainSide(t *testing.T, addr, user, password string) Side {
	t.Helper()
	host, port, _ := net.SplitHostPort(addr)
	pn, _ := strconv.Atoi(port)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), user, password)
	return Side{
		Account: account.Account{Name: user, Email: user, Kind: account.KindMember,
			IMAP: account.Endpoint{Host: host, Port: pn, Security: account.SecurityInsecurePlain}},
		Dialer: &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second},
	}
}

func dial(t *testing.T, s Side) *account.IMAPClient {
	t.Helper()
	c, err := s.dial(context.Background())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func upload(t *testing.T, s Side, opts corpus.Options) map[string]int {
	t.Helper()
	c := dial(t, s)
	n, err := corpus.Upload(c.Client, opts, dovecotRoles)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	c.Logout().Wait()
	return n
}

// msgState is one message as a server has it.
type msgState struct {
	uid   imap.UID
	flags string // sorted, without \Recent
	date  int64
	sum   [32]byte
}

// content is the part that must survive a migration (not the UID).
func (m msgState) content() string {
	return fmt.Sprintf("%x %s %d", m.sum, m.flags, m.date)
}

// snapshot reads every folder with EXAMINE and BODY.PEEK[].
func snapshot(t *testing.T, s Side) map[string][]msgState {
	t.Helper()
	c := dial(t, s)
	defer func() { c.Logout().Wait() }()
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	out := map[string][]msgState{}
	for _, l := range list {
		if !selectable(l) {
			continue
		}
		sel, err := c.Select(l.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		if err != nil {
			t.Fatalf("select: %v", err)
		}
		out[l.Mailbox] = nil
		if sel.NumMessages == 0 {
			continue
		}
		cmd := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{
			UID: true, Flags: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			buf, err := msg.Collect()
			if err != nil {
				t.Fatalf("collect: %v", err)
			}
			var fl []string
			for _, f := range buf.Flags {
				if !strings.EqualFold(string(f), `\Recent`) {
					fl = append(fl, strings.ToLower(string(f)))
				}
			}
			slices.Sort(fl)
			out[l.Mailbox] = append(out[l.Mailbox], msgState{uid: buf.UID, flags: strings.Join(fl, " "),
				date: buf.InternalDate.Unix(), sum: sha256.Sum256(buf.BodySection[0].Bytes)})
		}
		if err := cmd.Close(); err != nil {
			t.Fatalf("fetch close: %v", err)
		}
	}
	return out
}

func multiset(ms []msgState) map[string]int {
	out := map[string]int{}
	for _, m := range ms {
		out[m.content()]++
	}
	return out
}

// sameFolders checks that every planned folder's destination holds exactly
// the source's messages (hash, flags, INTERNALDATE) as a multiset.
func sameFolders(t *testing.T, p Plan, src, dst map[string][]msgState) {
	t.Helper()
	for _, f := range p.Folders {
		s, d := multiset(src[f.Source]), multiset(dst[f.Dest])
		for k, n := range s {
			if d[k] != n {
				t.Errorf("%s → %s: %s ×%d on source, ×%d on destination", f.Source, f.Dest, k, n, d[k])
			}
		}
		for k, n := range d {
			if s[k] == 0 {
				t.Errorf("%s → %s: %s ×%d only on destination", f.Source, f.Dest, k, n)
			}
		}
	}
}

func sameSnapshot(t *testing.T, before, after map[string][]msgState) {
	t.Helper()
	if len(before) != len(after) {
		t.Errorf("source folders changed: %d → %d", len(before), len(after))
	}
	for name, b := range before {
		a := after[name]
		if !slices.Equal(b, a) {
			t.Errorf("source folder %q changed: %d messages before, %d after", name, len(b), len(a))
		}
	}
}

func plan(t *testing.T, src, dst Side, opts Options) Plan {
	t.Helper()
	p, err := NewPlan(context.Background(), src, dst, opts)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func run(t *testing.T, p Plan, opts Options) Report {
	t.Helper()
	rep, err := Run(context.Background(), p, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}
