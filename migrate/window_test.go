package migrate

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

// With --since and folders listed in windows of a few messages, the plan
// and the run take exactly the messages SEARCH SINCE finds on the
// source (the windows filter by INTERNALDATE themselves: a window's
// UID range and SINCE in one SEARCH would be a compound search, which
// some servers refuse), and the run verifies.
func TestSinceInWindows(t *testing.T) {
	d := testenv.Dovecot(t)
	src, dst := dovecotSide(t, d, d.NewUser(t)), dovecotSide(t, d, d.NewUser(t))
	upload(t, src, corpus.Options{Seed: 21, Messages: 200})
	var dates []int64
	for _, ms := range snapshot(t, src) {
		for _, m := range ms {
			dates = append(dates, m.date)
		}
	}
	slices.Sort(dates)
	since := time.Unix(dates[len(dates)/2], 0).UTC().Truncate(24 * time.Hour)
	want := map[string]int{}
	c := dial(t, src)
	list, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range list {
		if !selectable(l) {
			continue
		}
		if _, err := c.Select(l.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
			t.Fatal(err)
		}
		data, err := c.UIDSearch(&imap.SearchCriteria{Since: since}, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		want[l.Mailbox] = len(data.AllUIDs())
	}
	c.Logout().Wait()
	opts := Options{JournalDir: t.TempDir(), Since: since, listWindow: 7, Batch: 4}
	p := plan(t, src, dst, opts)
	for _, f := range p.Folders {
		if f.Messages != want[f.Source] || f.Pending != want[f.Source] {
			t.Errorf("plan: %s: %d messages, %d pending, SEARCH SINCE finds %d", f.Source, f.Messages, f.Pending, want[f.Source])
		}
	}
	rep := run(t, p, opts)
	for _, f := range rep.Folders {
		if f.SourceCount != want[p.Folders[slices.IndexFunc(p.Folders, func(fp FolderPlan) bool { return fp.Path == f.Source })].Source] {
			t.Errorf("run: %s: %d messages", f.Source, f.SourceCount)
		}
	}
	if tot := rep.Totals(); !rep.Verified() || tot.Copied != tot.SourceCount || tot.Extra != 0 {
		t.Fatalf("verified=%v %+v", rep.Verified(), tot)
	}
}

// A folder's listing is kept as UID ranges, and its verification's
// source parts cut them into ranges of about chunk listed messages.
func TestFolderListParts(t *testing.T) {
	var l folderList
	var msgs []srcMsg
	for _, u := range []imap.UID{1, 2, 3, 4, 5, 9, 10, 11, 20, 21} {
		msgs = append(msgs, srcMsg{UID: u, Size: 1})
	}
	l.add(msgs)
	if len(l.uids) != 3 || l.count != 10 || !l.has(10) || l.has(7) || l.within(imap.UIDRange{Start: 4, Stop: 10}).count != 4 {
		t.Fatalf("listed %v count %d", l.uids, l.count)
	}
	got := l.parts(1, 4)
	want := []imap.UIDRange{{Start: 1, Stop: 4}, {Start: 5, Stop: 11}, {Start: 12, Stop: 0}}
	if !slices.Equal(got, want) {
		t.Fatalf("parts(4) = %v, want %v", got, want)
	}
	if got := l.parts(1, 5); !slices.Equal(got, []imap.UIDRange{{Start: 1, Stop: 5}, {Start: 6, Stop: 0}}) {
		t.Fatalf("parts(5) = %v", got)
	}
	if got := (&folderList{}).parts(1, 5); !slices.Equal(got, []imap.UIDRange{{Start: 1, Stop: 0}}) {
		t.Fatalf("parts of nothing = %v", got)
	}
	if got := l.parts(10, 2); !slices.Equal(got, []imap.UIDRange{{Start: 10, Stop: 11}, {Start: 12, Stop: 0}}) {
		t.Fatalf("parts from 10 = %v", got)
	}
	var each []imap.UID
	l.each(imap.UIDRange{Start: 4, Stop: 10}, func(u imap.UID) { each = append(each, u) })
	if !slices.Equal(each, []imap.UID{4, 5, 9, 10}) {
		t.Fatalf("each %v", each)
	}
}

// A copy settled by an earlier run whose source message was expunged
// since, and lies beyond the first window, does not stay claimed: a
// duplicate of that message on the source (same bytes, lower UID) finds
// the copy and is not copied again beside it, as when every folder was
// listed whole before the copy.
func TestExpungedBeyondWindowFreesItsCopy(t *testing.T) {
	d := testenv.Dovecot(t)
	src, dst := dovecotSide(t, d, d.NewUser(t)), dovecotSide(t, d, d.NewUser(t))
	dup := "From: a@example.test\r\nSubject: twice\r\nMessage-ID: <twice@example.test>\r\n\r\nthe same bytes\r\n"
	old, recent := time.Date(2020, 1, 2, 8, 0, 0, 0, time.UTC), time.Date(2025, 6, 2, 8, 0, 0, 0, time.UTC)
	c := dial(t, src)
	add := func(raw string, date time.Time) {
		cmd := c.Append("INBOX", int64(len(raw)), &imap.AppendOptions{Time: date})
		cmd.Write([]byte(raw))
		cmd.Close()
		if _, err := cmd.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	add(dup, old) // UID 1: left out of the first run by --since
	for i := 2; i <= 5; i++ {
		add(fmt.Sprintf("From: a@example.test\r\nSubject: filler %d\r\nMessage-ID: <filler-%d@example.test>\r\n\r\nfiller\r\n", i, i), recent)
	}
	add(dup, recent) // UID 6: copied by the first run, then expunged
	opts := Options{JournalDir: t.TempDir(), Since: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), listWindow: 2, Batch: 2}
	if rep := run(t, plan(t, src, dst, opts), opts); rep.Totals().Copied != 5 {
		t.Fatalf("first run copied %+v", rep.Totals())
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.UIDSetNum(6), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Expunge().Close(); err != nil {
		t.Fatal(err)
	}
	c.Logout().Wait()

	opts.Since = time.Time{}
	rep := run(t, plan(t, src, dst, opts), opts)
	if !rep.Verified() {
		t.Errorf("second run not verified: %+v", rep.Totals())
	}
	sum := sha256.Sum256([]byte(dup))
	count := func(ms []msgState) (n int) {
		for _, m := range ms {
			if m.sum == sum {
				n++
			}
		}
		return n
	}
	s, ds := snapshot(t, src), snapshot(t, dst)
	if count(s["INBOX"]) != 1 || count(ds["INBOX"]) != 1 || len(ds["INBOX"]) != len(s["INBOX"]) {
		t.Errorf("source has %d of the duplicate (%d messages), destination %d (%d messages)",
			count(s["INBOX"]), len(s["INBOX"]), count(ds["INBOX"]), len(ds["INBOX"]))
	}
}
