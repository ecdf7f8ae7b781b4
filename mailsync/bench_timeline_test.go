package mailsync

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// timeline samples a cold sync's progress and CPU use (BENCH_TIMELINE).
// The event reader calls see; the sampler reads the totals.
type timeline struct {
	headers, bodies map[string]int // per folder, the event reader's
	nHeaders        atomic.Int64
	nBodies         atomic.Int64
}

func (tl *timeline) see(ev Event) {
	p, ok := ev.(FolderProgress)
	if !ok {
		return
	}
	switch p.Phase {
	case PhaseHeaders:
		tl.headers[p.Folder] = p.Done
	case PhaseBodies:
		tl.bodies[p.Folder] = p.Done
	default:
		return
	}
	sum := func(m map[string]int) (n int64) {
		for _, v := range m {
			n += int64(v)
		}
		return n
	}
	tl.nHeaders.Store(sum(tl.headers))
	tl.nBodies.Store(sum(tl.bodies))
}

// start samples every 100 ms until offline is closed or the returned
// function is called, then writes the file BENCH_TIMELINE names (if set):
// seconds since start, headers and bodies stored, client and server CPU
// in the interval (100 = one core).
func (tl *timeline) start(b *testing.B, start time.Time, offline <-chan struct{}) func() {
	path := os.Getenv("BENCH_TIMELINE")
	if path == "" {
		return func() {}
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		lines := []string{"t headers bodies client% server%"}
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		lastC, lastS, lastW := cpuTime(), liveServerCPU(), time.Now()
		for {
			select {
			case <-stop:
			case <-offline:
			case <-t.C:
				c, s, w := cpuTime(), liveServerCPU(), time.Now()
				dw := float64(w.Sub(lastW))
				lines = append(lines, fmt.Sprintf("%6.2f %6d %6d %4.0f %4.0f", w.Sub(start).Seconds(), tl.nHeaders.Load(), tl.nBodies.Load(),
					100*float64(c-lastC)/dw, 100*float64(s-lastS)/dw))
				lastC, lastS, lastW = c, s, w
				continue
			}
			if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
				b.Error(err)
			}
			return
		}
	}()
	var once sync.Once
	return func() { once.Do(func() { close(stop); <-done }) }
}

// liveServerCPU sums the CPU of this process's Dovecot master and its
// children, alive or reaped (serverCPU counts a session once it exits).
func liveServerCPU() time.Duration {
	self := strconv.Itoa(os.Getpid())
	procs := procStats()
	var total int64
	for pid, p := range procs {
		if p.ppid == self && strings.HasPrefix(p.comm, "dovecot") {
			total += p.ticks
			for _, c := range procs {
				if c.ppid == pid {
					total += c.ticks
				}
			}
		}
	}
	return time.Duration(total) * (time.Second / 100) // USER_HZ
}
