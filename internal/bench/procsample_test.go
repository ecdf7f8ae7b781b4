package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// procSampler follows the CPU time of Dovecot's child processes by name
// (imap, imap-login, auth…) by reading /proc every 20 ms: a child's
// figure is its last one seen, so up to 20 ms of a process's end is
// missed. serverCPU, from the master's reaped children, is the exact sum;
// this is the split (how much is imap-login's TLS proxying, how much the
// imap processes').
type procSampler struct {
	master int
	mu     sync.Mutex
	last   map[int]procTicks // pid → last seen
	done   chan struct{}
	wg     sync.WaitGroup
}

type procTicks struct {
	name  string
	ticks int64
}

func startProcSampler(d *testenv.DovecotServer) *procSampler {
	s := &procSampler{last: map[int]procTicks{}, done: make(chan struct{})}
	pid, err := os.ReadFile(filepath.Join(d.Dir, "run", "master.pid"))
	if err != nil {
		return s
	}
	s.master, _ = strconv.Atoi(strings.TrimSpace(string(pid)))
	s.sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				s.sample()
			}
		}
	}()
	return s
}

func (s *procSampler) sample() {
	if s.master == 0 {
		return
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		st := string(b)
		open, shut := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
		if open < 0 || shut < 0 {
			continue
		}
		f := strings.Fields(st[shut+2:])
		if ppid, _ := strconv.Atoi(f[1]); ppid != s.master {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		k, _ := strconv.ParseInt(f[12], 10, 64)
		s.mu.Lock()
		s.last[pid] = procTicks{name: st[open+1 : shut], ticks: u + k}
		s.mu.Unlock()
	}
}

// snapshot is the CPU time of the children by name so far.
func (s *procSampler) snapshot() map[string]time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]time.Duration{}
	for _, p := range s.last {
		out[p.name] += time.Duration(p.ticks) * 10 * time.Millisecond
	}
	return out
}

func (s *procSampler) stop() {
	if s.master != 0 {
		close(s.done)
		s.wg.Wait()
	}
}

// cpuDiff formats b − a by process name, biggest first.
func cpuDiff(a, b map[string]time.Duration) string {
	var names []string
	for n := range b {
		if b[n]-a[n] > 0 {
			names = append(names, n)
		}
	}
	slices.SortFunc(names, func(x, y string) int { return int((b[y] - a[y]) - (b[x] - a[x])) })
	var parts []string
	for _, n := range names {
		parts = append(parts, fmt.Sprintf("%s %s", n, (b[n]-a[n]).Round(10*time.Millisecond)))
	}
	return strings.Join(parts, ", ")
}
