package mailsync

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/store"
)

// BenchmarkColdSync is a cold SyncOnce (bodies included) of a corpus on the
// harness's Dovecot into an empty store, for profiling the engine in
// process (`go test -bench ColdSync -cpuprofile cpu.out ./mailsync`).
// BENCH_MESSAGES sets the corpus size (default 2000). The corpus is
// uploaded once; every iteration syncs into a fresh store. With
// -tags memory.counters it also logs what SQLite's allocator had mapped at
// each phase's RSS peak (the non-Go part of the process's memory), and at
// the indexing peak how much of that held allocations (live), how much of
// its pool of freed regions was resident, and the regions by size.
// BENCH_PEAK_HEAP=FILE writes a heap profile at each new indexing peak.
// BENCH_OFFLINE_PROFILE=FILE writes a CPU profile of the download alone
// (until the mail is offline, the first FolderSynced), without the index
// stage that -cpuprofile would mix in; use one or the other.
// BENCH_OFFLINE_TRACE=FILE writes an execution trace of the same span
// instead (go tool trace): which goroutines wait, and on what.
// BENCH_TIMELINE=FILE writes, every 100 ms until the mail is offline, the
// headers and bodies stored so far and the client's and Dovecot's CPU use
// in the interval: when the cores idle (see timeline).
// BENCH_OFFLINE_ONLY=1 stops each sync once the mail is offline, skipping
// the index stage: for A/B runs of the download's CPU.
// BENCH_GOGC and BENCH_MEMLIMIT_MB replace main's collector settings; a
// comma-separated list takes its values in turn, one per iteration (with
// -benchtime Nx: interleaved A/B runs over one uploaded corpus).
func BenchmarkColdSync(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BENCH_MESSAGES")); err == nil && v > 0 {
		n = v
	}
	d := testenv.Dovecot(b)
	u := d.NewUser(b)
	ep, err := account.ParseEndpoint(d.IMAPSAddr(), account.SecurityTLS)
	if err != nil {
		b.Fatal(err)
	}
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), "dove", u.Password)
	acct := account.Account{Name: "dove", Email: u.Email, Kind: account.KindMember, IMAP: ep, CAFile: d.CAFile}
	dialer := &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second}
	c, err := dialer.DialIMAP(context.Background(), acct, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := corpus.Upload(c.Client, corpus.Options{Seed: 1, Messages: n, LargeEvery: 500}, dovecotRoles); err != nil {
		b.Fatal(err)
	}
	closeClient(c)
	// As main does: the same soft heap limit, and the peak RSS measured
	// from here (clear_refs 5 resets VmHWM, Linux ≥ 4.0).
	memLimits, gcPercents := benchInts(b, "BENCH_MEMLIMIT_MB", 64), benchInts(b, "BENCH_GOGC", 50)
	offlineOnly := os.Getenv("BENCH_OFFLINE_ONLY") == "1"
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(int64(memLimits[0]) << 20))
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercents[0]))
	runtime.GC()
	debug.FreeOSMemory()
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		memLimit, gcPercent := memLimits[i%len(memLimits)], gcPercents[i%len(gcPercents)]
		debug.SetMemoryLimit(int64(memLimit) << 20)
		debug.SetGCPercent(gcPercent)
		runtime.GC()
		_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		st, err := store.Open(context.Background(), filepath.Join(b.TempDir(), strconv.Itoa(i)+".db"))
		if err != nil {
			b.Fatal(err)
		}
		startRSS := vmRSS()
		server0 := serverCPU()
		cpu0 := cpuTime()
		var cpuOffline, cpuHeaders, headersAt time.Duration
		events := make(chan Event, 64)
		start := time.Now()
		offline := make(chan time.Duration, 1)
		stopRSS := make(chan struct{})
		var peakOffline, peakIndex, goAtOffline, goAtIndex, sqlAtOffline, sqlAtIndex, liveAtIndex, poolAtIndex, liveAtOffline, poolAtOffline int
		var regionsAtIndex, regionsAtOffline string
		sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"},
			{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/free:bytes"}}
		var heapAtIndex, freeAtIndex int // Go's objects (live and garbage not yet swept) and free pages not yet returned
		offlineNow := make(chan struct{})
		syncCtx, stopSync := context.WithCancel(context.Background())
		gcs := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}, {Name: "/gc/heap/allocs:bytes"}}
		metrics.Read(gcs)
		gcs0, gcsOffline := gcs[0].Value.Uint64(), uint64(0)
		alloc0, allocOffline := gcs[1].Value.Uint64(), uint64(0)
		stopProfile := startOfflineProfile(b)
		tl := &timeline{headers: map[string]int{}, bodies: map[string]int{}}
		go func() {
			var at time.Duration
			for ev := range events {
				tl.see(ev)
				if p, ok := ev.(FolderProgress); ok && p.Phase == PhaseHeaders && at == 0 {
					headersAt, cpuHeaders = time.Since(start), cpuTime()-cpu0 // the last one stays
				}
				if _, ok := ev.(FolderSynced); ok && at == 0 {
					at = time.Since(start)
					cpuOffline = cpuTime() - cpu0
					stopProfile()
					metrics.Read(gcs)
					gcsOffline = gcs[0].Value.Uint64() - gcs0
					allocOffline = gcs[1].Value.Uint64() - alloc0
					close(offlineNow)
					if offlineOnly {
						stopSync()
					}
				}
			}
			offline <- at
		}()
		go func() {
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stopRSS:
					return
				case <-tick.C:
				}
				rss := vmRSS()
				metrics.Read(sample)
				goKiB := int(sample[0].Value.Uint64()-sample[1].Value.Uint64()) >> 10
				select {
				case <-offlineNow:
					if rss > peakIndex {
						peakIndex, goAtIndex, sqlAtIndex, liveAtIndex, poolAtIndex = rss, goKiB, sqliteMappedKiB(), sqliteLiveKiB(), sqlitePoolKiB()
						heapAtIndex, freeAtIndex = int(sample[2].Value.Uint64()>>10), int(sample[3].Value.Uint64()>>10)
						regionsAtIndex = sqliteRegions()
						writePeakHeap("")
					}
				default:
					if rss > peakOffline {
						peakOffline, goAtOffline, sqlAtOffline, liveAtOffline, poolAtOffline = rss, goKiB, sqliteMappedKiB(), sqliteLiveKiB(), sqlitePoolKiB()
						regionsAtOffline = sqliteRegions()
						writePeakHeap(".fetch")
					}
				}
			}
		}()
		stopTL := tl.start(b, start, offlineNow)
		b.StartTimer()
		sum, err := New(acct, dialer, st, Options{Events: events}).SyncOnce(syncCtx)
		stopSync()
		if offlineOnly && syncCtx.Err() != nil {
			err, sum = nil, Summary{}
		}
		if err != nil || sum.Failed() {
			b.Fatalf("SyncOnce: %v %+v", err, sum)
		}
		b.StopTimer()
		stopProfile()
		stopTL()
		all := time.Since(start)
		time.Sleep(300 * time.Millisecond) // the server's session processes exit and are reaped
		serverAll := serverCPU() - server0
		close(stopRSS)
		close(events)
		b.Logf("RSS before %d MB, peak while fetching %d MB (Go %d MB, SQLite mapped %d MB: live %d MB, pool %d MB), while indexing %d MB (Go %d MB, SQLite mapped %d MB: live %d MB, pool %d MB)",
			startRSS>>10, peakOffline>>10, goAtOffline>>10, sqlAtOffline>>10, liveAtOffline>>10, poolAtOffline>>10, peakIndex>>10, goAtIndex>>10, sqlAtIndex>>10, liveAtIndex>>10, poolAtIndex>>10)
		b.Logf("Go at the indexing peak: heap objects %d MB, free pages not returned %d MB, the rest (stacks, runtime) %d MB",
			heapAtIndex>>10, freeAtIndex>>10, (goAtIndex-heapAtIndex-freeAtIndex)>>10)
		if regionsAtOffline != "" {
			b.Logf("SQLite at the fetching peak: %s", regionsAtOffline)
		}
		if regionsAtIndex != "" {
			b.Logf("SQLite at the indexing peak: %s", regionsAtIndex)
		}
		cpuAll := cpuTime() - cpu0
		offAt := <-offline // the event reader is done: its times are set
		b.Logf("headers of every folder stored after %s (CPU %s; bodies download beside them)",
			headersAt.Round(time.Millisecond), cpuHeaders.Round(time.Millisecond))
		b.Logf("offline after %s, indexed after %s (%d indexed); CPU %s to offline, %s in all; %d GC cycles and %d MB allocated to offline",
			offAt.Round(time.Millisecond), all.Round(time.Millisecond), sum.Indexed, cpuOffline.Round(time.Millisecond), cpuAll.Round(time.Millisecond), gcsOffline, allocOffline>>20)
		b.Logf("GOGC %d, memory limit %d MB; peak RSS to offline %d MB", gcPercent, memLimit, peakOffline>>10)
		b.Logf("server (Dovecot) CPU during the sync %s; client and server to offline %s",
			serverAll.Round(time.Millisecond), (cpuOffline + serverAll).Round(time.Millisecond))
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "msg/s")
	if status, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(status), "\n") {
			if kb, ok := strings.CutPrefix(line, "VmHWM:"); ok {
				v, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")))
				b.ReportMetric(float64(v)/1024, "peak-RSS-MB")
			}
		}
	}
}

// benchInts reads a comma-separated list of integers from the environment
// variable name, or returns def alone when it is unset.
func benchInts(b *testing.B, name string, def int) []int {
	v := os.Getenv(name)
	if v == "" {
		return []int{def}
	}
	var out []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		out = append(out, n)
	}
	return out
}

// startOfflineProfile starts the execution trace BENCH_OFFLINE_TRACE or
// the CPU profile BENCH_OFFLINE_PROFILE asks for, if any, and returns what
// stops it.
func startOfflineProfile(b *testing.B) func() {
	start, stop, path := pprof.StartCPUProfile, pprof.StopCPUProfile, os.Getenv("BENCH_OFFLINE_PROFILE")
	if p := os.Getenv("BENCH_OFFLINE_TRACE"); p != "" {
		start, stop, path = trace.Start, trace.Stop, p
	}
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := start(f); err != nil {
		b.Fatal(err)
	}
	var once sync.Once
	return func() { once.Do(func() { stop(); f.Close() }) }
}

// vmRSS is this process's resident set in KiB (0 when unknown).
func vmRSS() int {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(status), "\n") {
		if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			v, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(kb), "kB")))
			return v
		}
	}
	return 0
}

// cpuTime is the user+system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU is the CPU time used so far by the harness's Dovecot: the
// master process (a child of this one) and every process it reaped (one
// per IMAP session), from /proc/PID/stat. On a shared machine this and
// cpuTime are steadier figures than wall time. 0 when unknown.
func serverCPU() time.Duration {
	self := strconv.Itoa(os.Getpid())
	var total int64
	for _, p := range procStats() {
		if p.ppid == self && strings.HasPrefix(p.comm, "dovecot") {
			total += p.ticks
		}
	}
	return time.Duration(total) * (time.Second / 100) // USER_HZ
}

// procStat is what the benchmarks read of a process's /proc/PID/stat.
type procStat struct {
	ppid  string
	comm  string
	ticks int64 // utime stime cutime cstime: its own CPU and its reaped children's
}

// procStats reads /proc/PID/stat of every process, by PID.
func procStats() map[string]procStat {
	entries, _ := os.ReadDir("/proc")
	procs := map[string]procStat{}
	for _, e := range entries {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(stat)
		i := strings.LastIndexByte(s, ')')
		j := strings.IndexByte(s, '(')
		if i < 0 || j < 0 || j > i {
			continue
		}
		f := strings.Fields(s[i+2:]) // state ppid ... ; utime is field 14 of the line, f[11]
		if len(f) < 15 {
			continue
		}
		var t int64
		for _, v := range f[11:15] {
			n, _ := strconv.ParseInt(v, 10, 64)
			t += n
		}
		procs[e.Name()] = procStat{ppid: f[1], comm: s[j+1 : i], ticks: t}
	}
	return procs
}

// writePeakHeap writes a heap profile to BENCH_PEAK_HEAP, if set, plus
// suffix (each new peak of the phase overwrites it): the indexing peak's
// without one, the fetching peak's with ".fetch".
func writePeakHeap(suffix string) {
	path := os.Getenv("BENCH_PEAK_HEAP")
	if path == "" {
		return
	}
	path += suffix
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	_ = pprof.WriteHeapProfile(f)
}
