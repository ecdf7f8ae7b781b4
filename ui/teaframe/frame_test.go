// Package teaframe tests the one behaviour Magpie's bubbletea fork
// (third_party/bubbletea, see its MAGPIE.md) adds: a new view is drawn at
// once when the last one was drawn at least a frame interval ago (leading
// edge), while views that come faster are still coalesced by the frame ticker.
//
// Every program here runs at 1 fps, so the ticker fires once a second: a
// frame that reaches the output well inside that second was not drawn by it.
// The tests wait for frames with generous deadlines and compare no durations
// with each other.
package teaframe

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// interval is the frame interval of every program here (tea.WithFPS(1)).
const interval = time.Second

// counter is a model whose view changes with every "j": its window title
// names the count, a marker the renderer writes whole whenever it changes.
type counter struct{ n int }

// execDoneMsg is the callback message of the no-op command "x" runs.
type execDoneMsg struct{ err error }

func (c counter) Init() tea.Cmd { return nil }

func (c counter) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		switch msg.String() {
		case "j":
			c.n++
		case "x":
			return c, tea.Exec(noopCommand{}, func(err error) tea.Msg { return execDoneMsg{err} })
		case "q":
			return c, tea.Quit
		}
	case execDoneMsg:
		if msg.err == nil {
			c.n += 100
		}
	}
	return c, nil
}

func (c counter) View() tea.View {
	v := tea.NewView(fmt.Sprintf("count %d", c.n))
	v.WindowTitle = title(c.n)
	return v
}

func title(n int) string { return fmt.Sprintf("teaframe-%d", n) }

// marker is what the output holds once the view of count n is drawn.
func marker(n int) string { return ansi.SetWindowTitle(title(n)) }

// noopCommand is an ExecCommand that returns at once: the quickest
// ReleaseTerminal/RestoreTerminal round trip, where upstream issue #1778
// (a stopped renderer's ticker.Stop landing after the restart) bit most.
type noopCommand struct{}

func (noopCommand) Run() error          { return nil }
func (noopCommand) SetStdin(io.Reader)  {}
func (noopCommand) SetStdout(io.Writer) {}
func (noopCommand) SetStderr(io.Writer) {}

// screen is the program's output: every write is kept, and each one wakes
// whoever waits for a marker.
type screen struct {
	mu      sync.Mutex
	out     strings.Builder
	written chan struct{}
}

func newScreen() *screen { return &screen{written: make(chan struct{}, 1)} }

func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	s.out.Write(b)
	s.mu.Unlock()
	select {
	case s.written <- struct{}{}:
	default:
	}
	return len(b), nil
}

func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// waitFor reports whether want reached the output before deadline.
func (s *screen) waitFor(want string, deadline time.Time) bool {
	for {
		if strings.Contains(s.String(), want) {
			return true
		}
		wait := time.Until(deadline)
		if wait <= 0 {
			return false
		}
		select {
		case <-s.written:
		case <-time.After(wait):
		}
	}
}

// run starts a counter program at 1 fps on a pipe and a screen; stop quits it
// and waits for Run to return.
func run(t *testing.T) (keys io.Writer, scr *screen, stop func()) {
	t.Helper()
	// An *os.File, so that the input reader can be cancelled for Exec.
	in, keysW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	scr = newScreen()
	p := tea.NewProgram(counter{},
		tea.WithFPS(1),
		tea.WithInput(in),
		tea.WithOutput(scr),
		tea.WithWindowSize(40, 5),
		tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	done := make(chan error, 1)
	go func() {
		_, err := p.Run()
		done <- err
	}()
	stop = func() {
		t.Helper()
		p.Quit()
		select {
		case err := <-done:
			if err != nil && !errors.Is(err, tea.ErrProgramKilled) {
				t.Errorf("run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("the program did not stop after Quit")
		}
		_ = keysW.Close()
		_ = in.Close()
	}
	return keysW, scr, stop
}

func press(t *testing.T, keys io.Writer, s string) {
	t.Helper()
	if _, err := io.WriteString(keys, s); err != nil {
		t.Fatalf("send %q: %v", s, err)
	}
}

// TestKeyFrameIsDrawnBeforeTheNextTick: the first view is drawn at start
// without waiting for the ticker (awaited 0.7 intervals from Run, which
// starts the ticker), and a key pressed more than a frame interval after the
// last drawn frame has its frame drawn before the next tick. The ticker
// started before the first frame, so after the key sent 1.2 intervals later
// its next tick is at most 0.8 intervals away: the frame is awaited 0.6
// intervals (bubbletea as published drew both only at a tick).
func TestKeyFrameIsDrawnBeforeTheNextTick(t *testing.T) {
	keys, scr, stop := run(t)
	defer stop()

	start := time.Now()
	if !scr.waitFor(marker(0), start.Add(interval*7/10)) {
		t.Fatalf("the first view was not drawn before the first tick could draw it; output %q", scr.String())
	}
	drawn := time.Now()

	time.Sleep(time.Until(drawn.Add(interval * 12 / 10)))
	pressed := time.Now()
	press(t, keys, "j")
	if !scr.waitFor(marker(1), pressed.Add(interval*6/10)) {
		t.Fatalf("the key's frame was not drawn before the next tick could draw it; output %q", scr.String())
	}
}

// TestBurstIsCoalesced: five views made inside one frame interval of the last
// drawn frame are not drawn one by one: the ticker draws the latest of them.
func TestBurstIsCoalesced(t *testing.T) {
	keys, scr, stop := run(t)
	defer stop()

	if !scr.waitFor(marker(0), time.Now().Add(5*interval)) {
		t.Fatalf("the first view was never drawn; output %q", scr.String())
	}
	press(t, keys, "jjjjj")
	if !scr.waitFor(marker(5), time.Now().Add(5*interval)) {
		t.Fatalf("the last view of the burst was never drawn; output %q", scr.String())
	}
	out := scr.String()
	drawn := 0
	for n := 1; n <= 5; n++ {
		if strings.Contains(out, marker(n)) {
			drawn++
		}
	}
	if drawn >= 5 {
		t.Errorf("all %d views of the burst were drawn; want them coalesced", drawn)
	}
}

// TestFramesAfterExec: after each of several quick Exec round trips (the
// renderer stopped and started again) the new view still reaches the output,
// and so does the next key's.
func TestFramesAfterExec(t *testing.T) {
	keys, scr, stop := run(t)
	defer stop()

	if !scr.waitFor(marker(0), time.Now().Add(5*interval)) {
		t.Fatalf("the first view was never drawn; output %q", scr.String())
	}
	n := 0
	for round := 1; round <= 3; round++ {
		press(t, keys, "x")
		n += 100
		if !scr.waitFor(marker(n), time.Now().Add(5*interval)) {
			t.Fatalf("round %d: the view after Exec was never drawn; output %q", round, scr.String())
		}
		press(t, keys, "j")
		n++
		if !scr.waitFor(marker(n), time.Now().Add(5*interval)) {
			t.Fatalf("round %d: the key's view after Exec was never drawn; output %q", round, scr.String())
		}
	}
}
