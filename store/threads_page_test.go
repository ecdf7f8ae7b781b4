package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestThreadsPageIsFolderThreads: ThreadsPage returns exactly the pages
// FolderThreads returns (heads, counts, order), both ways, at several page
// sizes, on folders whose dates tie across threads and inside a thread,
// with thread members out of date order and in another folder too.
func TestThreadsPageIsFolderThreads(t *testing.T) {
	ctx := context.Background()
	dates := map[string]func(i int) time.Time{
		"distinct": func(i int) time.Time { return day0.Add(time.Duration(i) * time.Minute) },
		"ties":     func(i int) time.Time { return day0.Add(time.Duration(i/3) * time.Minute) },
		"shuffled": func(i int) time.Time { return day0.Add(time.Duration((i*37)%50) * time.Minute) },
	}
	for name, date := range dates {
		f := newFixture(t)
		msgs := genMessages(203, 1)
		for i := range msgs {
			msgs[i].Date = date(i)
			msgs[i].InternalDate = date(i)
		}
		must(t, f.s.PutHeaders(ctx, f.inbox, msgs[:180]))
		must(t, f.s.PutHeaders(ctx, f.archive, msgs[180:])) // threads split across folders
		for _, oldest := range []bool{false, true} {
			for _, limit := range []int{1, 7, 50, 500} {
				var after *ThreadCursor
				for page := 0; ; page++ {
					req := ThreadPageRequest{Limit: limit, After: after, Oldest: oldest}
					want, err := f.s.FolderThreads(ctx, f.inbox, req)
					must(t, err)
					got, err := f.s.ThreadsPage(ctx, f.inbox, req)
					must(t, err)
					if len(got) != len(want) {
						t.Fatalf("%s oldest=%v limit=%d page %d: %d heads, want %d", name, oldest, limit, page, len(got), len(want))
					}
					for i := range want {
						if got[i].ID != want[i].ID || got[i].Count != want[i].Count || got[i].Subject != want[i].Subject {
							t.Fatalf("%s oldest=%v limit=%d page %d row %d: head %d (%d), want %d (%d)", name, oldest, limit, page, i,
								got[i].ID, got[i].Count, want[i].ID, want[i].Count)
						}
					}
					if len(want) < limit {
						break
					}
					c := want[len(want)-1].Cursor()
					after = &c
				}
			}
		}
	}
}

// TestThreadsPagePlan: the walk reads the folder's date index in order (no
// sort of the folder) and probes the thread index per message.
func TestThreadsPagePlan(t *testing.T) {
	f := newFixture(t)
	must(t, f.s.PutHeaders(context.Background(), f.inbox, genMessages(3000, 1)))
	must(t, analyze(f.s))
	for _, oldest := range []bool{false, true} {
		q, args := threadWalkSQL(f.inbox, ThreadPageRequest{Oldest: oldest, After: &ThreadCursor{Date: day0.Unix(), Thread: 9}})
		p := plan(t, f.s, q, args...)
		for _, w := range []string{"messages_folder_date (folder_id=? AND sort_date", "messages_folder_thread (folder_id=? AND thread_id=?)"} {
			if !strings.Contains(p, w) {
				t.Errorf("oldest=%v: plan lacks %q:\n%s", oldest, w, p)
			}
		}
		if strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("oldest=%v: plan sorts:\n%s", oldest, p)
		}
	}
}

// BenchmarkThreadsPage100k: a page of 50 threads of the 100k folder of
// BenchmarkPage100k (threads of four), first and deep (the 10,000th
// thread), by ThreadsPage and, for the ratio, by FolderThreads.
func BenchmarkThreadsPage100k(b *testing.B) {
	f := bench100k(b)
	ctx := context.Background()
	heads, err := f.s.ThreadsPage(ctx, f.inbox, ThreadPageRequest{Limit: 10_000})
	must(b, err)
	deep := heads[len(heads)-1].Cursor()
	for _, c := range []struct {
		name string
		req  ThreadPageRequest
	}{{"first", ThreadPageRequest{Limit: 50}}, {"deep", ThreadPageRequest{Limit: 50, After: &deep}}} {
		for _, fn := range []struct {
			name string
			read func(context.Context, FolderID, ThreadPageRequest) ([]ThreadHead, error)
		}{{"ThreadsPage", f.s.ThreadsPage}, {"FolderThreads", f.s.FolderThreads}} {
			b.Run(fn.name+"-"+c.name, func(b *testing.B) {
				for b.Loop() {
					if h, err := fn.read(ctx, f.inbox, c.req); err != nil || len(h) != 50 {
						b.Fatal(err, len(h))
					}
				}
			})
		}
	}
}
