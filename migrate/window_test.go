package migrate

import (
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
