package app

import (
	"context"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/ui/i18n"
)

// TestPreloadDrawsTheFirstPageInTheFirstFrame: Run's preload reads the
// folders and the first page before the program starts, so the first
// sized View shows the rows without any Cmd run; Init then reads neither
// again, and the unread counts wait for the first frame.
func TestPreloadDrawsTheFirstPageInTheFirstFrame(t *testing.T) {
	f := newFixture(t)
	m := newModel(Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN)}, clock, time.UTC)
	m.preload()
	if !m.preloaded || m.list.Len() == 0 {
		t.Fatalf("preload read no page (preloaded %v, %d rows)", m.preloaded, m.list.Len())
	}
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	s := screen(m)
	for _, want := range []string{"Quarterly report", "Hello from home"} {
		if !strings.Contains(s, want) {
			t.Fatalf("the first frame lacks %q:\n%s", want, s)
		}
	}
	var folders, pages, counts int
	for _, msg := range cmdMsgs(m.Init()) {
		switch msg.(type) {
		case FoldersLoadedMsg:
			folders++
		case PageLoadedMsg:
			pages++
		case UnreadLoadedMsg:
			counts++
		}
	}
	if folders != 0 || pages != 0 || counts != 0 {
		t.Fatalf("Init read the folders %d, a page %d, the counts %d times; want none", folders, pages, counts)
	}
	// The counts (every row of a big folder) come once the frame is drawn.
	_, cmd := m.Update(startedMsg{})
	if !slices.ContainsFunc(cmdMsgs(cmd), func(msg tea.Msg) bool { _, ok := msg.(UnreadLoadedMsg); return ok }) {
		t.Fatal("the start's end does not read the unread counts")
	}
}

// TestBackgroundStartsAfterTheFirstFrame: Deps.Started (the caller's sync
// engines and uploads) is called once, only after the first page's frame
// has been written to the terminal, and the program keeps running.
func TestBackgroundStartsAfterTheFirstFrame(t *testing.T) {
	f := newFixture(t)
	out := &firstPageWriter{page: make(chan struct{})}
	started := make(chan time.Time, 4)
	deps := Deps{Config: config(), Store: f.st, Printer: i18n.New(i18n.EN),
		Started: func() { started <- time.Now() }}
	ctx, cancel := context.WithCancel(context.Background())
	inR, inW := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, deps, tea.WithInput(inR), tea.WithOutput(out), tea.WithWindowSize(120, 40),
			tea.WithColorProfile(colorprofile.ANSI256), tea.WithEnvironment([]string{"TERM=xterm-256color"}))
	}()
	defer func() {
		cancel()
		inW.Close()
		<-done
	}()
	var at time.Time
	select {
	case at = <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("Started was never called")
	}
	select {
	case <-out.page:
	default:
		t.Fatal("Started was called before the first page was on the terminal")
	}
	out.mu.Lock()
	pageAt := out.at
	out.mu.Unlock()
	if at.Before(pageAt) {
		t.Fatalf("Started at %v, before the first page's frame at %v", at, pageAt)
	}
	select {
	case <-started:
		t.Fatal("Started was called twice")
	case <-time.After(startedFallback + 200*time.Millisecond): // the fallback has fired too
	}
}

// firstPageWriter is the program's terminal: it notes when the output so
// far shows the fixture's first page.
type firstPageWriter struct {
	mu   sync.Mutex
	text strings.Builder
	at   time.Time
	page chan struct{}
}

func (w *firstPageWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.at.IsZero() {
		w.text.Write(p)
		if strings.Contains(ansi.Strip(w.text.String()), "Quarterly report") {
			w.at = time.Now()
			close(w.page)
		}
	}
	return len(p), nil
}
