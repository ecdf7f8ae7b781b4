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
	homes  map[string]string // a user's mail directory → its label
	seen   map[int]string    // pid → the label of the user it serves
	mu     sync.Mutex
	last   map[int]procTicks // pid → last seen
	done   chan struct{}
	wg     sync.WaitGroup
}

type procTicks struct {
	name  string
	ticks int64
}

// startProcSampler samples d's children; an imap process is named
// "imap LABEL" by the user whose mail it has open (labels: user name →
// label), found from its open files.
func startProcSampler(d *testenv.DovecotServer, labels map[string]string) *procSampler {
	s := &procSampler{last: map[int]procTicks{}, done: make(chan struct{}), homes: map[string]string{}, seen: map[int]string{}}
	for name, label := range labels {
		home := filepath.Join(d.Dir, "home", name)
		if real, err := filepath.EvalSymlinks(home); err == nil {
			home = real
		}
		s.homes[home+"/"] = label
	}
	pid, err := os.ReadFile(filepath.Join(d.Dir, "run", "master.pid"))
	if err != nil {
		return s
	}
	s.master, _ = strconv.Atoi(strings.TrimSpace(string(pid)))
	s.sample()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(50 * time.Millisecond)
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
	// The master's children (CONFIG_PROC_CHILDREN) rather than all of
	// /proc: sampling must cost little beside the run it measures.
	kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", s.master, s.master))
	if err != nil {
		return
	}
	for _, k := range strings.Fields(string(kids)) {
		pid, err := strconv.Atoi(k)
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + k + "/stat")
		if err != nil {
			continue
		}
		st := string(b)
		open, shut := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
		if open < 0 || shut < 0 {
			continue
		}
		f := strings.Fields(st[shut+2:])
		u, _ := strconv.ParseInt(f[11], 10, 64)
		k, _ := strconv.ParseInt(f[12], 10, 64)
		name := st[open+1 : shut]
		if name == "imap" {
			name += " " + s.label(pid)
		}
		s.mu.Lock()
		s.last[pid] = procTicks{name: name, ticks: u + k}
		s.mu.Unlock()
	}
}

// label is the label of the user whose mail imap process pid has open
// ("?" until it opens some).
func (s *procSampler) label(pid int) string {
	if l, ok := s.seen[pid]; ok {
		return l
	}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, fd := range fds {
		target, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name()))
		if err != nil {
			continue
		}
		for home, l := range s.homes {
			if strings.HasPrefix(target, home) {
				s.seen[pid] = l
				return l
			}
		}
	}
	return "?"
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
