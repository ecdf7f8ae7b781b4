package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

func openTest(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sub", "magpie.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

type fixture struct {
	s       *Store
	acct    AccountID
	inbox   FolderID
	archive FolderID
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	s, _ := openTest(t)
	return fixtureOn(t, s)
}

func fixtureOn(t testing.TB, s *Store) fixture {
	t.Helper()
	ctx := context.Background()
	acct, err := s.Account(ctx, "work")
	must(t, err)
	inbox, err := s.UpsertFolder(ctx, Folder{Account: acct, Name: "INBOX", RawName: "INBOX", Delim: "/", Role: "inbox"})
	must(t, err)
	archive, err := s.UpsertFolder(ctx, Folder{Account: acct, Name: "归档", RawName: "&X1pjIw-", Delim: "/", Role: "archive"})
	must(t, err)
	return fixture{s: s, acct: acct, inbox: inbox, archive: archive}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var day0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// genMessages makes n deterministic messages: every 4th replies to the one
// before it, every 3rd is unread, every 10th has an attachment.
func genMessages(n int, firstUID UID) []Message {
	out := make([]Message, n)
	for i := range out {
		uid := firstUID + UID(i)
		m := Message{
			UID:          uid,
			MsgID:        fmt.Sprintf("<m%d@example.com>", uid),
			From:         Address{Name: fmt.Sprintf("Sender %d", i%97), Addr: fmt.Sprintf("s%d@example.com", i%97)},
			To:           []Address{{Name: "Me", Addr: "me@example.com"}},
			Subject:      fmt.Sprintf("Report number %d about topic %d", i, i%13),
			Date:         day0.Add(time.Duration(i) * time.Minute),
			InternalDate: day0.Add(time.Duration(i)*time.Minute + time.Second),
			Size:         int64(1000 + i),
			Flags:        FlagSeen,
			Preview:      "preview",
		}
		if i%3 == 0 {
			m.Flags = 0
		}
		if i%10 == 0 {
			m.HasAttachment = true
		}
		if i%4 != 0 {
			m.InReplyTo = fmt.Sprintf("<m%d@example.com>", uid-1)
			m.References = []string{fmt.Sprintf("<m%d@example.com>", uid-UID(i%4)), m.InReplyTo}
		}
		out[i] = m
	}
	return out
}

func ids(ms []Message) []MessageID {
	out := make([]MessageID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func count(t testing.TB, s *Store, q string, args ...any) int {
	t.Helper()
	var n int
	must(t, s.r.QueryRowContext(context.Background(), q, args...).Scan(&n))
	return n
}

// indexHeaders runs the index stage for the rows stored without a body:
// their texts rows, of headers only (see texts.go).
func indexHeaders(tb testing.TB, s *Store) {
	tb.Helper()
	ctx := context.Background()
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM messages WHERE indexed = 0 AND blob_hash IS NULL ORDER BY id`)
	must(tb, err)
	var texts []BodyText
	for rows.Next() {
		var id MessageID
		must(tb, rows.Scan(&id))
		texts = append(texts, BodyText{ID: id})
	}
	must(tb, rows.Err())
	rows.Close()
	must(tb, s.PutTexts(ctx, texts))
}
