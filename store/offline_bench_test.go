package store

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"
)

// BenchmarkOfflineWrite is the single writer's share of an initial sync to
// "mail offline": headers in the engine's batches, then raw bodies whose
// files the encoders wrote already (PrepareWrite, outside the timings).
// It reports the process CPU per message (the machine is shared) for each, on a fresh store.
func BenchmarkOfflineWrite(b *testing.B) {
	const n, hdrBatch, bodyBatch = 5000, 500, 200
	ctx := context.Background()
	var hdr, body time.Duration
	runs := 0
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		msgs := genMessages(n, 1)
		b.StartTimer()
		t0 := cpuNow()
		for i := 0; i < n; i += hdrBatch {
			must(b, f.s.PutHeaders(ctx, f.inbox, msgs[i:min(i+hdrBatch, n)]))
		}
		hdr += cpuSince(t0)
		b.StopTimer()
		ids := needIDs(b, f, n)
		var e Encoder
		prepared := make([]PreparedBody, 0, n)
		for i, id := range ids {
			raw := fmt.Appendf(nil, "Message-ID: <m%d@example.com>\r\nSubject: report %d\r\n\r\n%s", i, i, offlineBody)
			p, err := e.PrepareWrite(f.s, id, Body{Raw: raw})
			must(b, err)
			prepared = append(prepared, p)
		}
		b.StartTimer()
		t0 = cpuNow()
		for i := 0; i < n; i += bodyBatch {
			must(b, f.s.PutRawBodies(ctx, prepared[i:min(i+bodyBatch, n)]))
		}
		body += cpuSince(t0)
		runs++
	}
	b.ReportMetric(float64(hdr.Nanoseconds())/float64(runs*n), "hdr-ns/msg")
	b.ReportMetric(float64(body.Nanoseconds())/float64(runs*n), "body-ns/msg")
}

func needIDs(b *testing.B, f fixture, n int) []MessageID {
	rows, err := f.s.r.Query(`SELECT id FROM messages WHERE folder_id = ? ORDER BY id`, f.inbox)
	must(b, err)
	defer rows.Close()
	ids := make([]MessageID, 0, n)
	for rows.Next() {
		var id MessageID
		must(b, rows.Scan(&id))
		ids = append(ids, id)
	}
	return ids
}

var offlineBody = []byte("Content-Type: text/plain; charset=utf-8\r\n\r\nThe quarterly figures are attached; see the notes below.\r\n")

// cpuNow is the process's CPU time (user and system): the machine is
// shared, so wall time says little.
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func cpuSince(t0 time.Duration) time.Duration { return cpuNow() - t0 }
