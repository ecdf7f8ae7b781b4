package bench

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
	"github.com/magpie-mail/magpie/migrate"
)

// BenchmarkMigrateInProcess runs the migration engine in the test process,
// so that -cpuprofile and -memprofile see Magpie's side of a copy: a
// BENCH_MESSAGES corpus (default 3000) copied into a fresh user of the
// loopback Dovecot, through CapFilter when BENCH_DEST=reduced, then the
// no-op re-run. It runs only with MAGPIE_BENCH_MIGPROF=1 and asserts no
// timing; it logs them.
//
//	MAGPIE_BENCH_MIGPROF=1 BENCH_CPUPROFILE=/tmp/mig.prof go test -run '^$' \
//	  -bench InProcess -benchtime 1x ./internal/bench   # /tmp/mig.prof.0: the cold copy
//
// BENCH_HEAPPROFILE=/tmp/heap writes heap profiles of the cold copy as
// its copy phase starts and ends (/tmp/heap.copy, /tmp/heap.copied).
// BENCH_HEAPPEAK=/tmp/peak writes one at the cold copy's peak of live
// heap (as the last GC found it: the profile of that GC, none forced),
// with allocations sampled every 64 KB: what the peak is made of.
// BENCH_TLS=1 reaches the source (and a full destination) over IMAPS, as
// the real benchmark does. It logs the copy phase's start and end and the
// CPU time of the engine (this process: with BENCH_DEST=reduced it
// includes CapFilter's) and of Dovecot.
func BenchmarkMigrateInProcess(b *testing.B) {
	if os.Getenv("MAGPIE_BENCH_MIGPROF") != "1" {
		b.Skip("set MAGPIE_BENCH_MIGPROF=1")
	}
	// As main does: the engine is measured under the limits it ships with.
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(64 << 20))
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	if os.Getenv("BENCH_HEAPPEAK") != "" {
		runtime.MemProfileRate = 64 << 10 // finer than 512 KB: a peak of ~20 MB shows its parts
	}
	ctx := context.Background()
	d := testenv.Dovecot(b)
	old := tmpfsUser(b, d)
	opts := corpus.Options{Seed: 1, Messages: envInt("BENCH_MESSAGES", 3000), LargeEvery: envInt("BENCH_LARGE_EVERY", 500)}
	if _, err := Upload(ctx, Login{Addr: d.IMAPAddr(), User: old.Name, Password: old.Password}, opts, 4); err != nil {
		b.Fatal(err)
	}
	dstAddr := d.IMAPAddr()
	if os.Getenv("BENCH_DEST") == "reduced" {
		f, err := StartCapFilter(d.IMAPAddr(), reducedCaps)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		dstAddr = f.Addr()
	}
	// BENCH_JOBS_AB="4,3,4,3": one cold copy per entry, each into a fresh
	// user with that many workers, back to back after one upload (A/B
	// runs under the same load); no profile, no no-op re-run.
	jobs, runs := []int{envInt("BENCH_JOBS", 0)}, 2
	if ab := os.Getenv("BENCH_JOBS_AB"); ab != "" {
		jobs, runs = nil, 1
		for _, f := range strings.Split(ab, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				b.Fatalf("BENCH_JOBS_AB: %v", err)
			}
			jobs = append(jobs, n)
		}
	}
	b.ResetTimer()
	for _, j := range jobs {
		if runs == 1 {
			fmt.Printf("jobs %d:\n", j)
		}
		migrateRuns(b, ctx, d, old, dstAddr, j, runs)
	}
}

// migrateRuns copies old's mail into a fresh user behind dstAddr with
// jobs workers: runs 2 is the cold copy and the no-op re-run, 1 the cold
// copy alone; it logs what BenchmarkMigrateInProcess says it logs.
func migrateRuns(b *testing.B, ctx context.Context, d *testenv.DovecotServer, old testenv.User, dstAddr string, jobs, runs int) {
	// Printed, not b.Logf: a benchmark's log is cut after a few lines.
	logf := func(format string, args ...any) { fmt.Printf("    "+format+"\n", args...) }
	nu := tmpfsUser(b, d)
	src, dst := plainSide(b, d.IMAPAddr(), old), plainSide(b, dstAddr, nu)
	if os.Getenv("BENCH_TLS") == "1" { // as the real benchmark: IMAPS to the source (and to a full destination)
		src = tlsSide(src, d)
		if dstAddr == d.IMAPAddr() {
			dst = tlsSide(dst, d)
		}
	}
	var srcDials, dstDials atomic.Int32
	src.Dialer.NetDial, dst.Dialer.NetDial = countDials(&srcDials), countDials(&dstDials)
	mopts := migrate.Options{JournalDir: b.TempDir(), Jobs: jobs, Batch: envInt("BENCH_BATCH", 0)}
	for i := range runs {
		runtime.GC() // the upload's garbage is not the engine's
		debug.FreeOSMemory()
		resetPeakRSS()
		stopPeak := heapPeak()
		var onPeak func()
		if path := os.Getenv("BENCH_HEAPPEAK"); path != "" && i == 0 {
			onPeak = func() { writeHeapProfileNoGC(b, path) }
		}
		stopLive := liveHeapPeak(onPeak)
		stopOutside := outsideGoPeak()
		server := serverCPU(d)
		self := selfCPU()
		stopProfile := func() {}
		if runs == 2 {
			stopProfile = profileRun(b, i)
		}
		procs := startProcSampler(d, map[string]string{old.Name: "source", nu.Name: "dest"})
		marks := []phaseMark{{"start", procs.snapshot(), selfCPU(), 0}}
		var marksMu sync.Mutex
		mark := func(name string) {
			procs.sample()
			m := phaseMark{name, procs.snapshot(), selfCPU(), 0}
			if path := os.Getenv("BENCH_HEAPPROFILE"); path != "" && i == 0 && (name == "copy" || name == "copied") {
				writeHeapProfile(b, fmt.Sprintf("%s.%s", path, name))
			}
			if name == "copied" && os.Getenv("BENCH_LIVEHEAP") == "1" {
				// What the run holds as the copy ends (a GC here perturbs
				// the run a little: only on demand).
				runtime.GC()
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				m.live = ms.HeapAlloc
			}
			marksMu.Lock()
			marks = append(marks, m)
			marksMu.Unlock()
		}
		start := time.Now()
		p, err := migrate.NewPlan(ctx, src, dst, mopts)
		if err != nil {
			b.Fatal(err)
		}
		planned := time.Since(start)
		progress := make(chan migrate.Progress, 64)
		phases := watchPhases(progress, start, mark)
		mopts.Progress = progress
		rep, err := migrate.Run(ctx, p, mopts)
		close(progress)
		if err != nil {
			b.Fatal(err)
		}
		wall := time.Since(start)
		stopProfile()
		magpie := selfCPU() - self
		time.Sleep(200 * time.Millisecond) // the server's processes end after the logouts
		mark("end")
		procs.stop()
		marksMu.Lock()
		for k := 1; k < len(marks); k++ {
			logf("CPU until %s: Magpie %s; Dovecot: %s", marks[k].name, (marks[k].self - marks[k-1].self).Round(10*time.Millisecond), cpuDiff(marks[k-1].procs, marks[k].procs))
			if marks[k].live > 0 {
				logf("live heap as the copy ends (BENCH_LIVEHEAP=1): %.1f MB", float64(marks[k].live)/(1<<20))
			}
		}
		marksMu.Unlock()
		t := rep.Totals()
		logf("connections opened: source %d, destination %d", srcDials.Swap(0), dstDials.Swap(0))
		logf("peak RSS of this process during the run (VmHWM, reset before it): %d MB", peakRSS()>>20)
		logf("peak live Go heap (as the GC found it, sampled every 10 ms): %.1f MB", float64(stopLive())/(1<<20))
		logf("peak resident memory outside Go's (RSS less what Go has mapped and not released: SQLite's allocator, C, the binary; sampled every 10 ms): %.1f MB",
			float64(stopOutside())/(1<<20))
		logf("plan %s, run %s (%s), CPU: Magpie %s, Dovecot %s; Go heap peak %d MB: copied %d, source %d, missing %d, verified %v", planned.Round(time.Millisecond),
			wall.Round(time.Millisecond), <-phases, magpie.Round(time.Millisecond), serverCPU(d)-server, stopPeak()>>20, t.Copied, t.SourceCount, t.Missing, rep.Verified())
	}
}

// writeHeapProfile writes what the run holds now (after a GC, which
// perturbs the run a little: only on demand, BENCH_HEAPPROFILE) as a
// heap profile to path: at the copy's start and end, what grows with
// the mailbox shows in go tool pprof -sample_index=inuse_space.
func writeHeapProfile(b *testing.B, path string) {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		b.Error(err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Error(err)
	}
}

// writeHeapProfileNoGC writes the heap profile as the last GC left it
// to path (replacing it): called at a peak of the live heap, which that
// GC measured, it shows what the peak held.
func writeHeapProfileNoGC(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Error(err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		b.Error(err)
	}
}

// countDials is a dialler counting its connections into n.
func countDials(n *atomic.Int32) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		n.Add(1)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// phaseMark is the CPU time so far of Dovecot's processes and of this
// one as a phase begins.
type phaseMark struct {
	name  string
	procs map[string]time.Duration
	self  time.Duration
	live  uint64 // Go heap in use after a GC, when asked for
}

// profileRun starts a CPU profile of run i (0: the cold copy, 1: the
// no-op re-run) into BENCH_CPUPROFILE.i when that is set: unlike
// -cpuprofile, it leaves out the corpus upload.
func profileRun(b *testing.B, i int) func() {
	path := os.Getenv("BENCH_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(fmt.Sprintf("%s.%d", path, i))
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// tlsSide is s reached over IMAPS (RFC 8314) with the test CA.
func tlsSide(s migrate.Side, d *testenv.DovecotServer) migrate.Side {
	s.Account.IMAP = account.Endpoint{Host: "localhost", Port: d.IMAPSPort, Security: account.SecurityTLS}
	s.Account.CAFile = d.CAFile
	return s
}

// watchPhases reads progress until it is closed and then sends when the
// copy phase started (every folder prepared) and ended (all the mail on
// the destination: PhaseCopied; the folders copied first may be verified
// by then), as offsets from start.
// mark is called as the copy phase starts ("copy") and as it ends
// ("copied").
func watchPhases(progress <-chan migrate.Progress, start time.Time, mark func(string)) <-chan string {
	out := make(chan string, 1)
	go func() {
		var copyStart, copyEnd time.Duration
		prepared := map[string]bool{}
		// When each folder's first and last batches were stored: its
		// copy's span (from its first batch's end, so one batch late),
		// and which folder is the tail, the run's critical path.
		var ends []string
		ended := map[string]bool{}
		began := map[string]time.Duration{}
		for pr := range progress {
			if pr.Phase == migrate.PhaseCopy && pr.Done > 0 {
				if _, ok := began[pr.Folder]; !ok {
					began[pr.Folder] = time.Since(start)
				}
			}
			if pr.Phase == migrate.PhaseCopy && pr.Total > 0 && pr.Done == pr.Total && !ended[pr.Folder] {
				ended[pr.Folder] = true
				ends = append(ends, fmt.Sprintf("%s (%d) %s→%s", pr.Folder, pr.Total, began[pr.Folder].Round(10*time.Millisecond),
					time.Since(start).Round(10*time.Millisecond)))
			}
			switch pr.Phase {
			case migrate.PhaseCopy:
				if !prepared[pr.Folder] {
					prepared[pr.Folder] = true
					if copyStart == 0 {
						mark("copy")
					}
					copyStart = time.Since(start)
				}
			case migrate.PhaseCopied:
				if copyEnd == 0 {
					mark("copied")
					copyEnd = time.Since(start)
				}
			}
		}
		if copyStart > copyEnd {
			copyStart = copyEnd
		}
		out <- fmt.Sprintf("prepared at %s, copied at %s; folders copied (first batch stored→last): %s", copyStart.Round(time.Millisecond), copyEnd.Round(time.Millisecond), strings.Join(ends, ", "))
	}()
	return out
}

// resetPeakRSS resets this process's VmHWM (Linux: clear_refs 5), so
// that peakRSS then tells the run's peak, not the upload's.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// peakRSS is this process's VmHWM in bytes (0 when unreadable).
func peakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// selfCPU is the CPU time (user and system) this process used so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func plainSide(b *testing.B, addr string, u testenv.User) migrate.Side {
	host, port, _ := net.SplitHostPort(addr)
	pn, _ := strconv.Atoi(port)
	secrets := &account.MemorySecrets{}
	_ = secrets.Set(context.Background(), u.Name, u.Password)
	return migrate.Side{
		Account: account.Account{Name: u.Name, Email: u.Email, Kind: account.KindMember,
			IMAP: account.Endpoint{Host: host, Port: pn, Security: account.SecurityInsecurePlain}, MaxConnections: envInt("BENCH_CONNS_MAX", 0)},
		Dialer: &account.Dialer{Secrets: secrets, Timeout: 10 * time.Second},
	}
}

// tmpfsUser is a new Dovecot user whose mail lives on /dev/shm when it is
// a tmpfs, as in BenchmarkMigrate: Dovecot's fsyncs cost nothing there.
func tmpfsUser(b testing.TB, d *testenv.DovecotServer) testenv.User {
	u := d.NewUser(b)
	if !IsTmpfs("/dev/shm") {
		return u
	}
	if err := Touch(Login{Addr: d.IMAPAddr(), User: u.Name, Password: u.Password}); err != nil {
		b.Fatal(err)
	}
	moved, err := MoveToTmpfs(filepath.Join(d.Dir, "home", u.Name), "/dev/shm")
	if moved != "" {
		b.Cleanup(func() { os.RemoveAll(moved) })
	}
	if err != nil {
		b.Fatal(err)
	}
	return u
}

// serverCPU is the CPU time Dovecot's processes used so far: its master's
// and that of the children it reaped (an imap process ends with its
// connection), from /proc (0 when unreadable). A figure the machine's
// load does not skew, unlike wall time.
func serverCPU(d *testenv.DovecotServer) time.Duration {
	pid, err := os.ReadFile(filepath.Join(d.Dir, "run", "master.pid"))
	if err != nil {
		return 0
	}
	stat, err := os.ReadFile("/proc/" + strings.TrimSpace(string(pid)) + "/stat")
	if err != nil {
		return 0
	}
	s := string(stat)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime (fields 14-17)
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ 100
}

// heapPeak samples the Go heap (objects in use and not yet swept) every
// 10 ms until the returned function is called, which returns the peak.
func heapPeak() func() uint64 {
	return metricsPeak("/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes")
}

// liveHeapPeak samples the Go heap the last GC found live until the
// returned func is called, which returns its peak: what the engine holds
// (its listings, claims, batches), without the garbage that heapPeak and
// the RSS include, so that a few MB of growth with the mailbox show.
// onPeak, when not nil, is called (on the sampling goroutine) whenever
// the peak grew by 512 KB or more since its last call.
func liveHeapPeak(onPeak func()) func() uint64 {
	return metricsPeakFunc(onPeak, "/gc/heap/live:bytes")
}

// metricsPeak samples the sum of the named runtime/metrics (byte
// counts) every 10 ms until the returned function is called, which
// returns the peak sum.
func metricsPeak(names ...string) func() uint64 { return metricsPeakFunc(nil, names...) }

// metricsPeakFunc is metricsPeak calling onPeak (when not nil) whenever
// the peak grew by 512 KB or more since its last call.
func metricsPeakFunc(onPeak func(), names ...string) func() uint64 {
	sample := make([]metrics.Sample, len(names))
	for i, n := range names {
		sample[i].Name = n
	}
	return samplePeak(onPeak, func() uint64 {
		metrics.Read(sample)
		var v uint64
		for _, s := range sample {
			v += s.Value.Uint64()
		}
		return v
	})
}

// outsideGoPeak samples, every 10 ms until the returned func is called
// (which returns the peak), this process's resident memory (VmRSS) less
// what the Go runtime has mapped and not released to the OS: the
// memory of SQLite's allocator (modernc.org/libc maps its own), of the
// binary's pages, of anything not Go's. Go's share counts as resident
// in full, so the figure is a floor.
func outsideGoPeak() func() uint64 {
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	return samplePeak(nil, func() uint64 {
		metrics.Read(sample)
		goMem := sample[0].Value.Uint64() - sample[1].Value.Uint64()
		if rss := vmRSS(); rss > goMem {
			return rss - goMem
		}
		return 0
	})
}

// samplePeak calls read every 10 ms until the returned func is called,
// which returns the largest value read; onPeak (when not nil) is called
// whenever that peak grew by 512 KB or more since its last call.
func samplePeak(onPeak func(), read func() uint64) func() uint64 {
	var peak atomic.Uint64
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var called uint64 // the peak onPeak was last called at
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
				if onPeak != nil && v >= called+512<<10 {
					called = v
					onPeak()
				}
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-stopped
		return peak.Load()
	}
}

// vmRSS is this process's resident memory in bytes (0 when unreadable).
func vmRSS() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}
