package mailsync

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

// dovecotRoles are the special-use folders the harness's Dovecot creates.
var dovecotRoles = map[string]string{"sent": "Sent", "drafts": "Drafts", "trash": "Trash", "junk": "Junk", "archive": "Archive"}

type fixture struct {
	t      *testing.T
	d      *testenv.DovecotServer
	user   testenv.User
	acct   account.Account
	dialer *account.Dialer
	st     *store.Store
}

// newFixture makes a Dovecot user, optionally filled with an n-message
// corpus, and an empty store.
func newFixture(t *testing.T, n int) *fixture {
	t.Helper()
	d := testenv.Dovecot(t)
	u := d.NewUser(t)
	ep, err := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	if err != nil {
		t.Fatal(err)
	}
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), "dove", u.Password)
	f := &fixture{t: t, d: d, user: u,
		acct:   account.Account{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile},
		dialer: &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second},
	}
	f.st, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.st.Close() })
	if n > 0 {
		c := f.client()
		if _, err := corpus.Upload(c.Client, corpus.Options{Seed: 7, Messages: n, LargeEvery: n / 3, Malformed: true}, dovecotRoles); err != nil {
			t.Fatal(err)
		}
		closeClient(c)
	}
	return f
}

// client is "another client" of the same mailbox.
func (f *fixture) client() *account.IMAPClient {
	f.t.Helper()
	c, err := f.dialer.DialIMAP(context.Background(), f.acct, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) engine(opts Options) *Engine { return New(f.acct, f.dialer, f.st, opts) }

func (f *fixture) syncOnce(opts Options) Summary {
	f.t.Helper()
	sum, err := f.engine(opts).SyncOnce(context.Background())
	if err != nil || sum.Failed() {
		f.t.Fatalf("SyncOnce: %v %+v", err, sum)
	}
	return sum
}

// search runs a query of the local search syntax over the whole store.
func (f *fixture) search(q string) []store.Message {
	f.t.Helper()
	query, err := store.ParseQuery(q)
	if err != nil {
		f.t.Fatal(err)
	}
	res, err := f.st.Search(context.Background(), store.SearchRequest{Query: query, Limit: 10})
	if err != nil {
		f.t.Fatal(err)
	}
	return res
}

// serverMessage is one message as the server has it.
type serverMessage struct {
	flags []string
	sum   [32]byte
}

// serverState reads every folder: UID → flags and SHA-256 of the raw bytes.
func (f *fixture) serverState() map[string]map[store.UID]serverMessage {
	f.t.Helper()
	c := f.client()
	defer closeClient(c)
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]map[store.UID]serverMessage{}
	for _, l := range list {
		if _, err := c.Select(l.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			f.t.Fatal(err)
		}
		msgs := map[store.UID]serverMessage{}
		cmd := c.Fetch(imap.UIDSet{imap.UIDRange{Start: 1, Stop: 0}}, &imap.FetchOptions{
			UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
		})
		for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
			buf, err := msg.Collect()
			if err != nil {
				f.t.Fatal(err)
			}
			msgs[store.UID(buf.UID)] = serverMessage{flags: normFlags(buf.Flags), sum: sha256.Sum256(buf.BodySection[0].Bytes)}
		}
		if err := cmd.Close(); err != nil && !strings.Contains(err.Error(), "No matching messages") {
			f.t.Fatal(err)
		}
		out[l.Mailbox] = msgs
	}
	return out
}

func normFlags(in []imap.Flag) []string {
	var out []string
	for _, fl := range in {
		if fl != `\Recent` {
			out = append(out, strings.ToLower(string(fl)))
		}
	}
	slices.Sort(out)
	return out
}

// storeFolders is the fixture account's folders in the store.
func (f *fixture) storeFolders() []store.Folder {
	f.t.Helper()
	ctx := context.Background()
	acct, err := f.st.Account(ctx, f.acct.Name)
	if err != nil {
		f.t.Fatal(err)
	}
	folders, err := f.st.Folders(ctx, acct)
	if err != nil {
		f.t.Fatal(err)
	}
	return folders
}

// storeState reads the same from the store.
func (f *fixture) storeState(withBodies bool) map[string]map[store.UID]serverMessage {
	f.t.Helper()
	ctx := context.Background()
	folders := f.storeFolders()
	out := map[string]map[store.UID]serverMessage{}
	for _, fo := range folders {
		uids, err := f.st.UIDs(ctx, fo.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		msgs := map[store.UID]serverMessage{}
		for _, u := range uids {
			m := serverMessage{flags: normFlags(toIMAPFlags(u.Flags, u.Keywords))}
			if withBodies {
				id, err := f.st.Lookup(ctx, fo.ID, u.UID)
				if err != nil {
					f.t.Fatal(err)
				}
				raw, err := f.st.Raw(ctx, id)
				if err != nil {
					f.t.Fatalf("%s uid %d: no body: %v", fo.Name, u.UID, err)
				}
				m.sum = sha256.Sum256(raw)
			}
			msgs[u.UID] = m
		}
		out[fo.RawName] = msgs
	}
	return out
}

// assertInStep compares store and server folder by folder.
func (f *fixture) assertInStep(withBodies bool) {
	f.t.Helper()
	server, local := f.serverState(), f.storeState(withBodies)
	if len(server) != len(local) {
		f.t.Errorf("folders: server %d, store %d", len(server), len(local))
	}
	for name, sm := range server {
		lm, ok := local[name]
		if !ok {
			f.t.Errorf("folder %q missing from the store", name)
			continue
		}
		if len(sm) != len(lm) {
			f.t.Errorf("folder %q: server %d messages, store %d", name, len(sm), len(lm))
		}
		for uid, s := range sm {
			l, ok := lm[uid]
			switch {
			case !ok:
				f.t.Errorf("folder %q uid %d missing from the store", name, uid)
			case !slices.Equal(s.flags, l.flags):
				f.t.Errorf("folder %q uid %d flags: server %v, store %v", name, uid, s.flags, l.flags)
			case withBodies && s.sum != l.sum:
				f.t.Errorf("folder %q uid %d: raw bytes differ", name, uid)
			}
		}
	}
}
