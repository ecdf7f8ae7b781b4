package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestListOrderPlansUseIndexes: the sender, subject and thread pages of a
// big folder are index reads (plans, never durations).
func TestListOrderPlansUseIndexes(t *testing.T) {
	f := newFixture(t)
	fillFolder(t, f.s, f.inbox, scaleRows)
	must(t, analyze(f.s))
	after := &SortCursor{Key: "sender 5", Date: day0.Unix(), ID: 77}
	cases := []struct {
		name string
		req  SortedPageRequest
		want string
	}{
		{"sender first", SortedPageRequest{By: SortSender}, "USING INDEX messages_folder_sender (folder_id=?)"},
		{"sender keyset", SortedPageRequest{By: SortSender, After: after}, "USING INDEX messages_folder_sender (folder_id=? AND <expr>>?)"},
		{"sender desc keyset", SortedPageRequest{By: SortSender, Desc: true, After: after}, "USING INDEX messages_folder_sender (folder_id=? AND <expr><?)"},
		{"subject keyset", SortedPageRequest{By: SortSubject, After: after}, "USING INDEX messages_folder_subject (folder_id=? AND <expr>>?)"},
		{"subject desc", SortedPageRequest{By: SortSubject, Desc: true}, "USING INDEX messages_folder_subject (folder_id=?)"},
	}
	for _, c := range cases {
		q, args := sortedSQL(f.inbox, c.req)
		p := plan(t, f.s, q, args...)
		if !strings.Contains(p, c.want) {
			t.Errorf("%s: plan lacks %q:\n%s", c.name, c.want, p)
		}
		for _, d := range []string{"SCAN", "TEMP B-TREE"} {
			if strings.Contains(p, d) {
				t.Errorf("%s: plan has %q:\n%s", c.name, d, p)
			}
		}
	}
	q, args := threadsSQL(f.inbox, ThreadPageRequest{Limit: 50, After: &ThreadCursor{Date: day0.Unix(), Thread: 9}})
	p := plan(t, f.s, q, args...)
	for _, w := range []string{"USING COVERING INDEX messages_folder_thread (folder_id=?)",
		"USING COVERING INDEX messages_folder_thread (folder_id=? AND thread_id=?)", "USING INTEGER PRIMARY KEY (rowid=?)"} {
		if !strings.Contains(p, w) {
			t.Errorf("threads: plan lacks %q:\n%s", w, p)
		}
	}
	if strings.Contains(p, "SCAN messages") || strings.Contains(p, "SCAN m ") || strings.Contains(p, "SCAN x") {
		t.Errorf("threads: plan reads message rows it does not show:\n%s", p)
	}
}

// TestPageSorted walks a folder page by page in every order and direction
// and gets every message once, in the order the keys say, including names
// in Chinese, capitals and a sender with no name.
func TestPageSorted(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	msgs := genMessages(130, 1)
	names := []string{"张三", "alice", "Bob", "", "李四", "bob", "Émile"}
	subjects := []string{"Re: 合同", "agenda", "Agenda", "周报", "", "zz top"}
	for i := range msgs {
		msgs[i].From = Address{Name: names[i%len(names)], Addr: fmt.Sprintf("u%d@example.com", i%5)}
		msgs[i].Subject = subjects[i%len(subjects)]
		msgs[i].Date = day0.Add(time.Duration(i%9) * time.Hour) // ties on date too
	}
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	sk := NewSortKeyer()
	keyOf := map[SortField]func(m Message) string{
		SortSender: func(m Message) string {
			if m.From.Name != "" {
				return sk.Key(m.From.Name)
			}
			return sk.Key(m.From.Addr)
		},
		SortSubject: func(m Message) string { return sk.Key(m.Subject) },
		SortDate:    func(Message) string { return "" },
	}
	for _, by := range []SortField{SortDate, SortSender, SortSubject} {
		for _, desc := range []bool{false, true} {
			var got []Message
			var after *SortCursor
			for {
				rows, curs, err := f.s.PageSorted(ctx, f.inbox, SortedPageRequest{By: by, Desc: desc, Limit: 17, After: after})
				must(t, err)
				if len(rows) != len(curs) {
					t.Fatalf("%d rows, %d cursors", len(rows), len(curs))
				}
				got = append(got, rows...)
				if len(rows) < 17 {
					break
				}
				after = &curs[len(curs)-1]
			}
			want := slices.Clone(got)
			slices.SortFunc(want, func(a, b Message) int {
				ca := SortCursor{Key: keyOf[by](a), Date: a.Cursor().Date, ID: a.ID}
				cb := SortCursor{Key: keyOf[by](b), Date: b.Cursor().Date, ID: b.ID}
				if ca.Less(cb, desc) {
					return -1
				}
				return 1
			})
			if len(got) != len(msgs) || !slices.Equal(ids(got), ids(want)) {
				t.Errorf("by %d desc %v: %d rows, order %v, want %v", by, desc, len(got), ids(got)[:10], ids(want)[:10])
			}
		}
	}
}

// TestFolderThreads pages a folder's threads: one head per thread (its
// newest message), the count of the thread's messages in the folder, the
// most recently active thread first, and every thread once.
func TestFolderThreads(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(102, 1))) // threads of 4: uids 1-4, 5-8, …, 101-102
	for _, oldest := range []bool{false, true} {
		var heads []ThreadHead
		var after *ThreadCursor
		for {
			page, err := f.s.FolderThreads(ctx, f.inbox, ThreadPageRequest{Limit: 7, After: after, Oldest: oldest})
			must(t, err)
			heads = append(heads, page...)
			if len(page) < 7 {
				break
			}
			c := page[len(page)-1].Cursor()
			after = &c
		}
		if len(heads) != 26 {
			t.Fatalf("oldest=%v: %d threads, want 26", oldest, len(heads))
		}
		seen := map[ThreadID]bool{}
		for i, h := range heads {
			if seen[h.Thread] {
				t.Fatalf("thread %d twice", h.Thread)
			}
			seen[h.Thread] = true
			want := 4
			if h.UID > 100 {
				want = 2
			}
			if h.Count != want || h.UID%4 != 0 && h.UID != 102 {
				t.Errorf("head uid %d count %d", h.UID, h.Count)
			}
			if i > 0 && (heads[i-1].SortDate().Before(h.SortDate()) != oldest) {
				t.Errorf("oldest=%v: threads out of order at %d", oldest, i)
			}
			all, err := f.s.Thread(ctx, h.Thread)
			must(t, err)
			if len(all) != h.Count || all[len(all)-1].ID != h.ID {
				t.Errorf("thread %d: Thread has %d messages, the head is not its newest", h.Thread, len(all))
			}
		}
	}
}

// BenchmarkListOrders100k times the message list's other reads on the
// 100k folder of BenchmarkPage100k: a page by sender and by subject (first
// and deep, by keyset) and a page of threads.
func BenchmarkListOrders100k(b *testing.B) {
	f := bench100k(b)
	ctx := context.Background()
	deep := func(by SortField) *SortCursor {
		var after *SortCursor
		for range 60_000 / 500 { // walk to the 60,000th row
			_, curs, err := f.s.PageSorted(ctx, f.inbox, SortedPageRequest{By: by, Limit: 500, After: after})
			must(b, err)
			after = &curs[len(curs)-1]
		}
		return after
	}
	heads, err := f.s.FolderThreads(ctx, f.inbox, ThreadPageRequest{Limit: 10_000})
	must(b, err)
	threadDeep := heads[len(heads)-1].Cursor()
	for _, c := range []struct {
		name string
		read func() (int, error)
	}{
		{"sender-first", pageOf(ctx, f, SortedPageRequest{By: SortSender, Limit: 50})},
		{"sender-deep", pageOf(ctx, f, SortedPageRequest{By: SortSender, Limit: 50, After: deep(SortSender)})},
		{"subject-desc-deep", pageOf(ctx, f, SortedPageRequest{By: SortSubject, Desc: true, Limit: 50, After: deep(SortSubject)})},
		{"threads-first", func() (int, error) {
			h, err := f.s.FolderThreads(ctx, f.inbox, ThreadPageRequest{Limit: 50})
			return len(h), err
		}},
		{"threads-deep", func() (int, error) {
			h, err := f.s.FolderThreads(ctx, f.inbox, ThreadPageRequest{Limit: 50, After: &threadDeep})
			return len(h), err
		}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if n, err := c.read(); err != nil || n != 50 {
					b.Fatal(err, n)
				}
			}
		})
	}
}

func pageOf(ctx context.Context, f fixture, req SortedPageRequest) func() (int, error) {
	return func() (int, error) {
		rows, _, err := f.s.PageSorted(ctx, f.inbox, req)
		return len(rows), err
	}
}
