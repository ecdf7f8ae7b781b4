package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bench100k opens a store holding one 100k-message folder. Building it takes
// a while, so it is built once into the temp directory (keyed by schema
// version and generator revision) and reopened by every benchmark run.
func bench100k(b *testing.B) fixture {
	b.Helper()
	const n = 100_000
	path := filepath.Join(os.TempDir(), fmt.Sprintf("magpie-store-bench-v%d-g5-%d.db", len(migrations), n))
	ctx := context.Background()
	if _, err := os.Stat(path); err != nil {
		tmp := path + ".building"
		for _, suf := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + suf)
		}
		s, err := Open(ctx, tmp)
		must(b, err)
		f := fixtureOn(b, s)
		fillFolder(b, s, f.inbox, n)
		must(b, analyze(s))
		_, err = s.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		must(b, err)
		must(b, s.Close())
		must(b, os.Rename(tmp, path))
	}
	s, err := Open(ctx, path)
	must(b, err)
	b.Cleanup(func() { s.Close() })
	return fixtureOn(b, s) // get-or-create: same IDs
}

func BenchmarkPage100k(b *testing.B) {
	f := bench100k(b)
	ctx := context.Background()
	first, err := f.s.Page(ctx, f.inbox, PageRequest{Offset: 60_000, Limit: 1})
	must(b, err)
	deep := first[0].Cursor()
	// The list pages by keyset in every order (ui/app: PageSorted); nothing
	// pages by OFFSET, so no case times it.
	_, sc, err := f.s.PageSorted(ctx, f.inbox, SortedPageRequest{By: SortSender, Limit: 60_000})
	must(b, err)
	senderDeep := sc[len(sc)-1]
	for _, c := range []struct {
		name string
		req  PageRequest
	}{
		{"first", PageRequest{Limit: 50}},
		{"keyset-deep", PageRequest{Limit: 50, After: &deep}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				p, err := f.s.Page(ctx, f.inbox, c.req)
				if err != nil || len(p) != 50 {
					b.Fatal(err, len(p))
				}
			}
		})
	}
	b.Run("sender-keyset-deep", func(b *testing.B) {
		req := SortedPageRequest{By: SortSender, Limit: 50, After: &senderDeep}
		for b.Loop() {
			p, _, err := f.s.PageSorted(ctx, f.inbox, req)
			if err != nil || len(p) != 50 {
				b.Fatal(err, len(p))
			}
		}
	})
}

func BenchmarkSearch100k(b *testing.B) {
	f := bench100k(b)
	ctx := context.Background()
	for _, q := range []string{
		"编号12345",     // rare, trigram
		"季度报告",        // common, trigram: the walk fills a page at once
		"from:sender", // every row: the walk, LIKE on one column
		"邮箱",          // 2 chars, common: the walk
		"编号",          // 2 chars everywhere
		"zz",          // 2 chars, no hit: vocabulary + tail indexes
		"is:unread has:attachment",
		"invoice after:2024-04-01 is:unread",
		"from:s96@example",                  // one sender in 97: a longer walk
		"45",                                // 2 chars in 5% of rows: a second, longer walk
		"to:me subject:number folder:inbox", // short field term with filters
		"is:flagged",                        // none flagged: the flagged rows' partial index
		"鑫",                                 // 1 char, no hit: vocabulary + tail indexes
	} {
		pq, err := ParseQuery(q)
		must(b, err)
		b.Run(strings.ReplaceAll(q, " ", "_"), func(b *testing.B) {
			for b.Loop() {
				if _, err := f.s.Search(ctx, SearchRequest{Account: f.acct, Query: pq, Limit: 50}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// As the TUI asks: every account, a bigger page.
	pq, err := ParseQuery("季度报告")
	must(b, err)
	b.Run("all-accounts-500_季度报告", func(b *testing.B) {
		for b.Loop() {
			if _, err := f.s.Search(ctx, SearchRequest{Query: pq, Limit: 500}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkUnreadCounts(b *testing.B) {
	f := bench100k(b) // 33k unread in one folder
	ctx := context.Background()
	for b.Loop() {
		if _, err := f.s.UnreadCounts(ctx, f.acct); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkThread(b *testing.B) {
	f := bench100k(b)
	ctx := context.Background()
	m, err := f.s.Page(ctx, f.inbox, PageRequest{Limit: 1, Offset: 500})
	must(b, err)
	for b.Loop() {
		if _, err := f.s.Thread(ctx, m[0].Thread); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPutHeaders1k(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	next := UID(1)
	for b.Loop() {
		must(b, f.s.PutHeaders(ctx, f.inbox, genMessages(1000, next)))
		next += 1000
	}
}

// BenchmarkPutBody reports the stored/raw size ratio for a typical mix: a
// text mail and one with a base64 attachment.
func BenchmarkPutBody(b *testing.B) {
	f := newFixture(b)
	ctx := context.Background()
	text := []byte(strings.Repeat("Subject: 周报\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n本周完成了邮箱搬家的测试，下周继续。The migration went fine.\r\n", 60))
	att := append([]byte("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n"),
		[]byte(base64Lines(randomBytes(200<<10)))...)
	var raw, stored int64
	i := UID(1)
	for b.Loop() {
		must(b, f.s.PutHeaders(ctx, f.inbox, []Message{{UID: i}}))
		id, err := f.s.Lookup(ctx, f.inbox, i)
		must(b, err)
		body := text
		if i%2 == 0 {
			body = att
		}
		body = append(append([]byte{}, body...), fmt.Sprint(i)...) // distinct blobs
		must(b, f.s.PutBody(ctx, id, Body{Raw: body, Text: "text"}))
		raw += int64(len(body))
		i++
	}
	b.StopTimer()
	for _, p := range blobFiles(b, f.s) {
		if st, err := os.Stat(p); err == nil {
			stored += st.Size()
		}
	}
	b.ReportMetric(float64(stored)/float64(raw), "stored/raw")
}

func base64Lines(p []byte) string {
	const tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	var sb strings.Builder
	for i := 0; i+3 <= len(p); i += 3 {
		v := uint(p[i])<<16 | uint(p[i+1])<<8 | uint(p[i+2])
		sb.WriteByte(tbl[v>>18&63])
		sb.WriteByte(tbl[v>>12&63])
		sb.WriteByte(tbl[v>>6&63])
		sb.WriteByte(tbl[v&63])
		if (i/3+1)%19 == 0 {
			sb.WriteString("\r\n")
		}
	}
	return sb.String()
}
