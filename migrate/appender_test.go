package migrate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

func TestParseAppendUID(t *testing.T) {
	for _, tc := range []struct {
		in   string
		v    uint32
		uids []imap.UID
	}{
		{"38505 3955", 38505, []imap.UID{3955}},
		{"1 7:9", 1, []imap.UID{7, 8, 9}},
		{"1 3,5:6,10", 1, []imap.UID{3, 5, 6, 10}},
		{"1 9:7", 1, []imap.UID{7, 8, 9}},
		{"x 1", 0, nil},
		{"1", 0, nil},
		{"1 1:4294967295", 0, nil},
	} {
		v, uids := parseAppendUID(tc.in)
		if v != tc.v || !slices.Equal(uids, tc.uids) {
			t.Errorf("parseAppendUID(%q) = %d %v, want %d %v", tc.in, v, uids, tc.v, tc.uids)
		}
	}
}

func TestEncodeMUTF7(t *testing.T) {
	for in, want := range map[string]string{"INBOX": "INBOX", "已发送": "&XfJT0ZAB-", "a&b": "a&-b", "客户邮件/2024": "&W6JiN5CuTvY-/2024"} {
		if got := encodeMUTF7(in); got != want {
			t.Errorf("encodeMUTF7(%q) = %q, want %q", in, got, want)
		}
	}
}

// The appender logs in to Dovecot over TLS, stores a batch in one
// MULTIAPPEND with the UIDs from APPENDUID in order, and a batch the
// destination refuses (over quota) stores none of its messages.
func TestMultiAppendAgainstDovecot(t *testing.T) {
	d := testenv.Dovecot(t)
	ctx := context.Background()
	side := dovecotSide(t, d, d.NewUser(t))
	rc, err := dialRaw(ctx, side)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if !rc.caps["MULTIAPPEND"] || !rc.caps["LITERAL+"] {
		t.Fatalf("capabilities after login: %v", rc.caps)
	}
	var bodies [][]byte
	if err := corpus.Each(corpus.Options{Seed: 3, Messages: 5}, func(m corpus.Message) error {
		bodies = append(bodies, m.Raw)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2019, 3, 4, 5, 6, 7, 0, time.FixedZone("", 8*3600))
	items := func(bs ...[]byte) []appendItem {
		var out []appendItem
		for _, b := range bs {
			out = append(out, appendItem{flags: []imap.Flag{imap.FlagSeen, "$label1"}, date: date, size: int64(len(b)), body: bytes.NewReader(b)})
		}
		return out
	}
	for _, plus := range []bool{true, false} {
		rc.caps["LITERAL+"] = plus // synchronising literals too
		name := fmt.Sprintf("客户邮件-%v", plus)
		c := dial(t, side)
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatal(err)
		}
		v, uids, err := rc.multiAppend(name, items(bodies[0], bodies[1], bodies[2]))
		if err != nil || v == 0 || !slices.Equal(uids, []imap.UID{1, 2, 3}) {
			t.Fatalf("multiAppend (LITERAL+ %v): %d %v %v", plus, v, uids, err)
		}
		snap := snapshot(t, side)[name]
		if len(snap) != 3 || snap[0].flags != `$label1 \seen` || snap[0].date != date.Unix() {
			t.Fatalf("stored %+v", snap)
		}
		for i, m := range snap {
			if m.sum != sha(bodies[i]) {
				t.Errorf("message %d differs", i)
			}
		}
		c.Logout().Wait()
	}
	// Over quota: a batch bigger than what is left fails as a whole.
	side = dovecotSide(t, d, d.NewUserWith(t, testenv.UserOptions{QuotaStorage: "40k"}))
	rc.Close()
	if rc, err = dialRaw(ctx, side); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 60<<10)
	msg := append([]byte("Subject: big\r\n\r\n"), big...)
	_, _, err = rc.multiAppend("INBOX", items(bodies[3], msg))
	var ie *imap.Error
	if !errors.As(err, &ie) {
		t.Fatalf("over-quota batch: %v", err)
	}
	if reason, _, ok := refusal(err); !ok || reason != ReasonOverQuota {
		t.Errorf("refusal(%v) = %v %v", err, reason, ok)
	}
	if n := len(snapshot(t, side)["INBOX"]); n != 0 {
		t.Errorf("INBOX holds %d messages after a refused batch", n)
	}
}

func sha(b []byte) [32]byte { return sha256.Sum256(b) }

// With ramp, batches start at one message and double up to n, whatever
// the folder's size (a 20,000-message folder once overflowed the
// doubling); without, they are n messages from the start.
func TestCutBatches(t *testing.T) {
	msgs := make([]srcMsg, 20000)
	for i := range msgs {
		msgs[i] = srcMsg{UID: imap.UID(i + 1), Size: 1000}
	}
	bs := cutBatches(msgs, 100, true)
	var sizes []int
	total := 0
	for _, b := range bs {
		sizes = append(sizes, len(b))
		total += len(b)
	}
	if total != len(msgs) || !slices.Equal(sizes[:8], []int{1, 2, 4, 8, 16, 32, 64, 100}) || len(bs) != 7+(20000-127+99)/100 {
		t.Fatalf("%d batches, %d messages, sizes %v…", len(bs), total, sizes[:10])
	}
	for _, b := range bs[7:] {
		if len(b) > 100 || len(b) == 0 {
			t.Fatalf("batch of %d", len(b))
		}
	}
	if flat := cutBatches(msgs, 100, false); len(flat) != 200 || len(flat[0]) != 100 {
		t.Fatalf("without ramp: %d batches, the first of %d", len(flat), len(flat[0]))
	}
	big := []srcMsg{{UID: 1, Size: 3 << 20}, {UID: 2, Size: 900 << 10}, {UID: 3, Size: 900 << 10}, {UID: 4, Size: 900 << 10}, {UID: 5, Size: 900 << 10}, {UID: 6, Size: 900 << 10}}
	for _, b := range cutBatches(big, 100, true)[2:] {
		var mem int64
		for _, m := range b {
			if m.Size <= SpoolLimit {
				mem += m.Size
			}
		}
		if mem > batchBytes {
			t.Errorf("batch holds %d bytes in memory", mem)
		}
	}
}

// appendEach stores a batch with one pipelined APPEND per message, with
// synchronising literals and with LITERAL+, into the mailbox it selects:
// each message byte-identical with its flags and date and its UID from
// APPENDUID, and a message over quota refused on its own while the ones
// around it are stored.
func TestAppendEachAgainstDovecot(t *testing.T) {
	d := testenv.Dovecot(t)
	ctx := context.Background()
	var bodies [][]byte
	if err := corpus.Each(corpus.Options{Seed: 4, Messages: 4}, func(m corpus.Message) error {
		bodies = append(bodies, m.Raw)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	date := time.Date(2020, 1, 2, 3, 4, 5, 0, time.FixedZone("", -5*3600))
	big := append([]byte("Subject: big\r\n\r\n"), bytes.Repeat([]byte("x"), 200<<10)...)
	for _, plus := range []bool{false, true} {
		side := dovecotSide(t, d, d.NewUserWith(t, testenv.UserOptions{QuotaStorage: "150k"}))
		rc, err := dialRaw(ctx, side)
		if err != nil {
			t.Fatal(err)
		}
		rc.caps["LITERAL+"] = plus
		name := "客户邮件"
		c := dial(t, side)
		if err := c.Create(name, nil).Wait(); err != nil {
			t.Fatal(err)
		}
		c.Logout().Wait()
		var items []appendItem
		for _, b := range [][]byte{bodies[0], bodies[1], big, bodies[2]} {
			items = append(items, appendItem{flags: []imap.Flag{imap.FlagFlagged, "$work"}, date: date, size: int64(len(b)), body: bytes.NewReader(b)})
		}
		res, err := rc.appendEach(name, items)
		if err != nil {
			t.Fatalf("appendEach (LITERAL+ %v): %v", plus, err)
		}
		for i, want := range []imap.UID{1, 2, 0, 3} {
			r := res[i]
			if !r.done {
				t.Fatalf("LITERAL+ %v: message %d unanswered", plus, i)
			}
			if want == 0 {
				if reason, _, ok := refusal(r.err); !ok || reason != ReasonOverQuota {
					t.Errorf("LITERAL+ %v: the big message: %v (%v)", plus, r.err, reason)
				}
				continue
			}
			if r.err != nil || r.uid != want || r.uidValidity == 0 {
				t.Errorf("LITERAL+ %v: message %d: uid %d/%d %v, want uid %d", plus, i, r.uidValidity, r.uid, r.err, want)
			}
		}
		// The connection goes on: the next batch lands too.
		res, err = rc.appendEach(name, []appendItem{{date: date, size: int64(len(bodies[3])), body: bytes.NewReader(bodies[3])}})
		if err != nil || !res[0].done || res[0].err != nil || res[0].uid != 4 {
			t.Fatalf("second batch: %+v %v", res, err)
		}
		rc.Close()
		snap := snapshot(t, side)[name]
		if len(snap) != 4 || snap[0].flags != `$work \flagged` || snap[0].date != date.Unix() {
			t.Fatalf("stored %+v", snap)
		}
		for i, b := range [][]byte{bodies[0], bodies[1], bodies[2], bodies[3]} {
			if snap[i].sum != sha(b) {
				t.Errorf("LITERAL+ %v: message %d differs", plus, i)
			}
		}
	}
}

func TestQuote(t *testing.T) {
	for in, want := range map[string]string{"INBOX": `"INBOX"`, `a"b\c`: `"a\"b\\c"`, " 4-Mar-2019 05:06:07 +0800": `" 4-Mar-2019 05:06:07 +0800"`} {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
}

// A connection that read a mailbox back keeps it selected; what another
// connection stores into it afterwards must be in the next read of that
// connection (a session's view of a selected mailbox grows only when the
// server is given a chance to tell it, RFC 3501 §5.2: verification parts
// read ranges up to UIDs another worker's APPENDUID reported).
func TestEachBodyHashSeesOtherSessionsAppends(t *testing.T) {
	d := testenv.Dovecot(t)
	ctx := context.Background()
	side := dovecotSide(t, d, d.NewUser(t))
	reader, err := dialRaw(ctx, side)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := dialRaw(ctx, side)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	date := time.Date(2021, 5, 6, 7, 8, 9, 0, time.UTC)
	put := func(n int) []imap.UID {
		var items []appendItem
		for i := range n {
			b := []byte(fmt.Sprintf("Subject: m%d\r\n\r\nbody %d\r\n", i, time.Now().UnixNano()))
			items = append(items, appendItem{date: date, size: int64(len(b)), body: bytes.NewReader(b)})
		}
		res, err := writer.appendEach("INBOX", items)
		if err != nil {
			t.Fatal(err)
		}
		var uids []imap.UID
		for _, r := range res {
			if r.err != nil || r.uid == 0 {
				t.Fatalf("append: %+v", r)
			}
			uids = append(uids, r.uid)
		}
		return uids
	}
	read := func(rg imap.UIDRange) int {
		n := 0
		if err := reader.eachBodyHash("INBOX", rg, func(imap.UID, [32]byte) { n++ }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	first := put(3)
	if n := read(imap.UIDRange{Start: first[0], Stop: first[2]}); n != 3 {
		t.Fatalf("first part: %d messages, want 3", n)
	}
	second := put(4)
	if n := read(imap.UIDRange{Start: second[0], Stop: second[3]}); n != 4 {
		t.Fatalf("second part, stored by another session after the first read: %d messages, want 4", n)
	}
}
