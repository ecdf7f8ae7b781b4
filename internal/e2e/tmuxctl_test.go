package e2e

import (
	"bufio"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

// tmuxCtl is one tmux control-mode client (tmux(1), CONTROL MODE) attached
// to the benchmark's session: commands are lines written to its input and
// their replies come back between %begin and %end (or %error), so that
// typing a key or reading the screen starts no process; a pane's output is
// announced by a %output notification, which the reader timestamps as it
// arrives.
//
// tmux writes a pane's %output before it parses the same bytes into the
// screen, and queues a command's reply behind output already announced
// (control.c), so every byte a capture-pane reply shows was announced
// before that reply's %begin: lastOut, read at %begin, is when the last of
// them arrived.
type tmuxCtl struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	run sync.Mutex // one command at a time: replies come back in order

	replies chan ctlReply
	outputs chan struct{} // a %output of the watched pane arrived (coalesced)

	mu      sync.Mutex
	watch   string    // the pane whose %output is timestamped
	lastOut time.Time // arrival of its latest %output
}

// ctlReply is one command's reply: its lines, whether tmux answered
// %error, and the arrival of the watched pane's latest %output before it.
type ctlReply struct {
	lines   []string
	failed  bool
	lastOut time.Time
}

// startCtl attaches a control-mode client to session on the server sock.
func startCtl(b *testing.B, sock, session string) *tmuxCtl {
	b.Helper()
	c := &tmuxCtl{replies: make(chan ctlReply, 16), outputs: make(chan struct{}, 1)}
	c.cmd = tmux(sock, "-C", "attach-session", "-t", session)
	var err error
	if c.in, err = c.cmd.StdinPipe(); err != nil {
		b.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := c.cmd.Start(); err != nil {
		b.Fatalf("tmux -C: %v", err)
	}
	go c.read(out)
	b.Cleanup(func() {
		c.in.Close()
		c.cmd.Wait()
	})
	return c
}

// read parses the control client's output until it ends.
func (c *tmuxCtl) read(r io.Reader) {
	defer close(c.replies)
	br := bufio.NewReaderSize(r, 1<<16)
	var block *ctlReply
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		now := time.Now()
		line = strings.TrimSuffix(line, "\n")
		switch {
		case block != nil && (strings.HasPrefix(line, "%end ") || strings.HasPrefix(line, "%error ")):
			block.failed = strings.HasPrefix(line, "%error ")
			// The last field is 1 for a command this client sent, 0 for
			// others (the attach on the command line).
			if strings.HasSuffix(line, " 1") {
				c.replies <- *block
			}
			block = nil
		case block != nil:
			block.lines = append(block.lines, line)
		case strings.HasPrefix(line, "%begin "):
			c.mu.Lock()
			block = &ctlReply{lastOut: c.lastOut}
			c.mu.Unlock()
		case strings.HasPrefix(line, "%output "):
			pane, _, _ := strings.Cut(strings.TrimPrefix(line, "%output "), " ")
			c.mu.Lock()
			if pane == c.watch {
				c.lastOut = now
				select {
				case c.outputs <- struct{}{}:
				default:
				}
			}
			c.mu.Unlock()
		}
	}
}

// command sends one tmux command line and waits for its reply.
func (c *tmuxCtl) command(b *testing.B, line string) ctlReply {
	b.Helper()
	r, err := c.try(line)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// try is command returning its failure.
func (c *tmuxCtl) try(line string) (ctlReply, error) {
	c.run.Lock()
	defer c.run.Unlock()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		return ctlReply{}, fmt.Errorf("tmux -C: %s: %w", line, err)
	}
	r, ok := <-c.replies
	if !ok {
		return r, fmt.Errorf("tmux -C: %s: the control client ended", line)
	}
	if r.failed {
		return r, fmt.Errorf("tmux -C: %s: %s", line, strings.Join(r.lines, "\n"))
	}
	return r, nil
}

// send writes a command without waiting for its reply, and returns when
// it was written: the clock of a key starts there.
func (c *tmuxCtl) send(b *testing.B, line string) (time.Time, func() ctlReply) {
	b.Helper()
	c.run.Lock()
	t0 := time.Now()
	if _, err := io.WriteString(c.in, line+"\n"); err != nil {
		c.run.Unlock()
		b.Fatalf("tmux -C: %s: %v", line, err)
	}
	return t0, func() ctlReply {
		defer c.run.Unlock()
		r, ok := <-c.replies
		if !ok || r.failed {
			b.Fatalf("tmux -C: %s failed: %s", line, strings.Join(r.lines, "\n"))
		}
		return r
	}
}

// watchPane makes pane the one whose output is timestamped, forgetting any
// output seen before.
func (c *tmuxCtl) watchPane(pane string) {
	c.mu.Lock()
	c.watch, c.lastOut = pane, time.Time{}
	c.mu.Unlock()
	select {
	case <-c.outputs:
	default:
	}
}

// waitScreen waits for output of the watched pane until its screen,
// captured after each batch of output, satisfies match; it returns the
// time from since to the arrival of the last output the matching screen
// holds, and the screen.
func (c *tmuxCtl) waitScreen(b *testing.B, pane, name, what string, since time.Time, match func(string) bool) (time.Duration, string) {
	b.Helper()
	deadline := time.After(60 * time.Second)
	for {
		r := c.command(b, "capture-pane -p -t "+pane)
		s := strings.Join(r.lines, "\n") + "\n"
		// Output that left before the key is not its answer.
		if match(s) && !r.lastOut.IsZero() && !r.lastOut.Before(since) {
			return r.lastOut.Sub(since), s
		}
		select {
		case <-c.outputs:
		case <-deadline:
			b.Fatalf("%s: the screen never showed %s:\n%s", name, what, s)
		}
	}
}

// settle waits until the watched pane has been quiet for quiet, and
// returns its screen then: what a key is compared with.
func (c *tmuxCtl) settle(b *testing.B, pane string, quiet time.Duration) string {
	b.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-c.outputs:
			if time.Now().After(deadline) {
				b.Fatalf("tmux: pane %s never went quiet", pane)
			}
			continue
		case <-time.After(quiet):
		}
		r := c.command(b, "capture-pane -p -t "+pane)
		select {
		case <-c.outputs: // output came in while capturing: wait again
			continue
		default:
		}
		return strings.Join(r.lines, "\n") + "\n"
	}
}

// newPane opens a window of the benchmark's size running argv (a script
// path, no quoting needed) and returns its pane id and process id.
func (c *tmuxCtl) newPane(b *testing.B, session, script string) (pane, pid string) {
	b.Helper()
	r := c.command(b, fmt.Sprintf(`new-window -d -t %s -P -F "#{pane_id} #{pane_pid} #{window_width}x#{window_height}" "sh %s"`, session, script))
	f := strings.Fields(strings.Join(r.lines, " "))
	if len(f) != 3 {
		b.Fatalf("tmux new-window: %q", r.lines)
	}
	if want := fmt.Sprintf("%dx%d", benchW, benchH); f[2] != want {
		b.Fatalf("tmux new-window: a %s window, want %s", f[2], want)
	}
	return f[0], f[1]
}
