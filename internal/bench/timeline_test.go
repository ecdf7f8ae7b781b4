package bench

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/magpie-mail/magpie/internal/testenv"
)

// cpuTimeline samples, every 100 ms while a tool runs, the CPU time it
// used so far (the program /usr/bin/time runs, and the children it
// reaped) and the servers' (Dovecot's processes, live ones included,
// and this process: CapFilter's goroutines). It tells what the tool and
// the servers had used at a moment the tool reports (its copy phase's
// end), and how busy the cores were along the run.
type cpuTimeline struct {
	timePID int
	procs   *procSampler
	self0   time.Duration
	base    time.Duration // the servers' at the start
	first   map[string]time.Duration
	mu      sync.Mutex
	samples []cpuSample
	done    chan struct{}
	wg      sync.WaitGroup
}

type cpuSample struct {
	at            time.Time
	tool, servers time.Duration
	self          time.Duration // this process's share of servers
}

// startTimeline starts sampling; timePID is /usr/bin/time's process,
// labels name the imap processes by user (see startProcSampler).
func startTimeline(d *testenv.DovecotServer, timePID int, labels map[string]string) *cpuTimeline {
	tl := &cpuTimeline{timePID: timePID, procs: startProcSampler(d, labels), self0: selfCPU(), done: make(chan struct{})}
	tl.first = tl.procs.snapshot()
	tl.base = sumCPU(tl.first)
	tl.sample()
	tl.wg.Add(1)
	go func() {
		defer tl.wg.Done()
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-tl.done:
				return
			case <-t.C:
				tl.sample()
			}
		}
	}()
	return tl
}

func sumCPU(m map[string]time.Duration) time.Duration {
	var t time.Duration
	for _, d := range m {
		t += d
	}
	return t
}

func (tl *cpuTimeline) sample() {
	// Dovecot's processes as procs last saw them (every 50 ms): reading
	// /proc again here would add to the servers' CPU it measures.
	self := selfCPU() - tl.self0
	s := cpuSample{at: time.Now(), tool: toolCPU(tl.timePID), self: self,
		servers: sumCPU(tl.procs.snapshot()) - tl.base + self}
	tl.mu.Lock()
	// A program that ended is no longer /usr/bin/time's child: keep
	// its last figure.
	if n := len(tl.samples); n > 0 && s.tool < tl.samples[n-1].tool {
		s.tool = tl.samples[n-1].tool
	}
	tl.samples = append(tl.samples, s)
	tl.mu.Unlock()
}

// stop ends the sampling.
func (tl *cpuTimeline) stop() {
	close(tl.done)
	tl.wg.Wait()
	tl.procs.stop()
}

// split is the servers' CPU time of the run by process (imap processes
// by the label of their user, imap-login: the TLS proxy of IMAPS) and
// this process's (the benchmark's: CapFilter, the sampling).
func (tl *cpuTimeline) split() string {
	tl.mu.Lock()
	var self time.Duration
	if n := len(tl.samples); n > 0 {
		self = tl.samples[n-1].self
	}
	tl.mu.Unlock()
	return fmt.Sprintf("%s, bench process (proxy, sampling) %s", cpuDiff(tl.first, tl.procs.snapshot()), self.Round(10*time.Millisecond))
}

// at is the tool's and the servers' CPU time at t: the first sample
// taken at or after t (up to 100 ms late).
func (tl *cpuTimeline) at(t time.Time) (tool, servers time.Duration) {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	for _, s := range tl.samples {
		if !s.at.Before(t) {
			return s.tool, s.servers
		}
	}
	if n := len(tl.samples); n > 0 {
		return tl.samples[n-1].tool, tl.samples[n-1].servers
	}
	return 0, 0
}

// String is the timeline in 500 ms steps: how many of cores the tool
// and the servers kept busy in each.
func (tl *cpuTimeline) String() string {
	tl.mu.Lock()
	defer tl.mu.Unlock()
	if len(tl.samples) == 0 {
		return ""
	}
	var b strings.Builder
	prev := tl.samples[0]
	t0 := prev.at
	for _, s := range tl.samples[1:] {
		dt := s.at.Sub(prev.at)
		if dt < 500*time.Millisecond && s != tl.samples[len(tl.samples)-1] {
			continue
		}
		fmt.Fprintf(&b, " %.1fs:%.2f+%.2f", s.at.Sub(t0).Seconds(), float64(s.tool-prev.tool)/float64(dt), float64(s.servers-prev.servers)/float64(dt))
		prev = s
	}
	return strings.TrimSpace(b.String())
}

// toolCPU is the CPU time (user and system, with reaped children) of
// /usr/bin/time's children, from /proc (0 when they are gone).
func toolCPU(timePID int) time.Duration {
	kids, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", timePID, timePID))
	if err != nil {
		return 0
	}
	var ticks int64
	for _, k := range strings.Fields(string(kids)) {
		b, err := os.ReadFile("/proc/" + k + "/stat")
		if err != nil {
			continue
		}
		st := string(b)
		shut := strings.LastIndexByte(st, ')')
		if shut < 0 {
			continue
		}
		f := strings.Fields(st[shut+2:])
		for _, i := range []int{11, 12, 13, 14} { // utime stime cutime cstime
			n, _ := strconv.ParseInt(f[i], 10, 64)
			ticks += n
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}
