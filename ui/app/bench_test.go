package app

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/benchstore"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// The in-process TUI benchmarks: key → frame without a terminal, so that
// the figure carries none of tmux's own latency (scripts/bench-tui.sh
// prints them beside the tmux figures). The store is MAGPIE_BENCH_STORE (a
// copy of it: the file scripts/bench-tui.sh builds, with the folder INBOX
// of account "bench"), else BENCH_MESSAGES (default 20000) rows built here.

// benchStore opens a copy of the benchmark store, or builds one.
func benchStore(b *testing.B) *store.Store {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), "mail.db")
	if src := os.Getenv("MAGPIE_BENCH_STORE"); src != "" {
		raw, err := os.ReadFile(src)
		must(b, err)
		must(b, os.WriteFile(path, raw, 0o600))
		st, err := store.Open(ctx, path)
		must(b, err)
		b.Cleanup(func() { st.Close() })
		return st
	}
	n := 20000
	if v, err := fmt.Sscan(os.Getenv("BENCH_MESSAGES"), &n); v != 1 || err != nil {
		n = 20000
	}
	st, err := store.Open(ctx, path)
	must(b, err)
	b.Cleanup(func() { st.Close() })
	must(b, benchstore.Fill(ctx, st, n))
	return st
}

func benchDeps(st *store.Store) Deps {
	return Deps{Config: &account.Config{Language: "en", Accounts: []account.Account{{Name: "bench", Email: "bench@example.com"}}},
		Store: st, Printer: i18n.New(i18n.EN)}
}

// frameWriter is the program's terminal: it notes when bytes arrive.
type frameWriter struct {
	mu    sync.Mutex
	wrote chan struct{}
	bytes int
}

func (w *frameWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.bytes += len(p)
	w.mu.Unlock()
	select {
	case w.wrote <- struct{}{}:
	default:
	}
	return len(p), nil
}

// quiet waits until nothing has been written for d.
func (w *frameWriter) quiet(d time.Duration) {
	for {
		select {
		case <-w.wrote:
		case <-time.After(d):
			return
		}
	}
}

// BenchmarkPageDown is PageDown in the list of a big folder.
//
// "program": the real program (Run, with its options) on a pipe and a
// buffer: from PageDown's bytes on its input to the frame's first bytes
// on its output — input parsing, Update, View, the renderer's diff (and a
// wait for the frame ticker when the last frame is less than a period old;
// third_party/bubbletea/MAGPIE.md). It also reports the bytes written per
// key, the frame and whatever follows it within 30 ms.
//
// "update+view": the part of that in Magpie's own code, Update and View.
func BenchmarkPageDown(b *testing.B) {
	st := benchStore(b)
	b.Run("program", func(b *testing.B) {
		ctx, cancel := context.WithCancel(context.Background())
		inR, inW := io.Pipe()
		out := &frameWriter{wrote: make(chan struct{}, 1)}
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, benchDeps(st), tea.WithInput(inR), tea.WithOutput(out), tea.WithWindowSize(120, 40),
				tea.WithColorProfile(colorprofile.ANSI256), tea.WithEnvironment([]string{"TERM=xterm-256color"}))
		}()
		defer func() {
			cancel()
			inW.Close()
			<-done
		}()
		out.quiet(300 * time.Millisecond) // the first page is on screen
		var written int                   // bytes written after the timed keys
		press := func(k string) time.Duration {
			out.mu.Lock()
			before := out.bytes
			out.mu.Unlock()
			t0 := time.Now()
			if _, err := io.WriteString(inW, k); err != nil {
				b.Fatal(err)
			}
			select {
			case <-out.wrote:
			case <-time.After(5 * time.Second):
				b.Fatal("no frame after a key")
			}
			d := time.Since(t0)
			b.StopTimer()
			// The rest of the frame and the page read ahead; then a pause as
			// the tmux benchmark's (30 ms quiet): a key that comes within a
			// frame period of the last frame waits for the ticker, by design.
			out.quiet(30 * time.Millisecond)
			out.mu.Lock()
			written += out.bytes - before
			out.mu.Unlock()
			b.StartTimer()
			return d
		}
		var worst time.Duration
		timed := 0
		b.ResetTimer()
		for i := range b.N {
			if i > 0 && i%400 == 0 { // back to the top before the folder ends
				b.StopTimer()
				g := written
				press("g")
				written = g
				b.StartTimer()
			}
			worst = max(worst, press("\x1b[6~"))
			timed++
		}
		b.ReportMetric(float64(worst.Microseconds())/1000, "worst-ms")
		b.ReportMetric(float64(written)/float64(timed), "bytes/key")
	})
	b.Run("update+view", func(b *testing.B) {
		m := newModel(benchDeps(st), time.Now, time.Local)
		run(b, m, m.reloadFolders())
		send(b, m, tea.WindowSizeMsg{Width: 120, Height: 40})
		if m.list.Len() == 0 {
			b.Fatal("the list is empty")
		}
		pgdown := tea.KeyPressMsg{Code: tea.KeyPgDown}
		b.ResetTimer()
		for i := range b.N {
			if i > 0 && i%400 == 0 {
				b.StopTimer()
				send(b, m, keyMsg("g"))
				b.StartTimer()
			}
			_, cmd := m.Update(pgdown)
			_ = m.View()
			if cmd != nil { // a page read: the program runs it off the event loop
				b.StopTimer()
				run(b, m, cmd)
				b.StartTimer()
			}
		}
	})
}

// pageWriter is the program's terminal for a start: it notes the first
// bytes, and the bytes after which a full page of rows has been drawn.
type pageWriter struct {
	mu          sync.Mutex
	start       time.Time
	first, full time.Duration
	text        []byte
	done        chan struct{}
}

func (w *pageWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.first == 0 {
		w.first = time.Since(w.start)
	}
	if w.full == 0 {
		w.text = append(w.text, p...)
		if len(benchDate.FindAllIndex(w.text, -1)) >= 40-6 { // as the tmux benchmark: 34 rows with a date
			w.full = time.Since(w.start)
			close(w.done)
		}
	}
	return len(p), nil
}

// benchDate is a list row's date this year (the benchmark store's mail is
// of one June): "05-31".
var benchDate = regexp.MustCompile(`\b\d\d-\d\d\b|\d{4}-\d\d-\d\d`)

// BenchmarkStartup is the program's start over a big folder, in process:
// from Run to its first bytes on the terminal (first-ms) and to a full
// page of rows drawn (page-ms). What comes before Run (the process, the
// config, opening the store) is not in it.
func BenchmarkStartup(b *testing.B) {
	st := benchStore(b)
	var firsts, fulls []time.Duration
	for range b.N {
		ctx, cancel := context.WithCancel(context.Background())
		inR, inW := io.Pipe()
		out := &pageWriter{start: time.Now(), done: make(chan struct{})}
		done := make(chan error, 1)
		go func() {
			done <- Run(ctx, benchDeps(st), tea.WithInput(inR), tea.WithOutput(out), tea.WithWindowSize(120, 40),
				tea.WithColorProfile(colorprofile.ANSI256), tea.WithEnvironment([]string{"TERM=xterm-256color"}))
		}()
		select {
		case <-out.done:
		case <-time.After(10 * time.Second):
			b.Fatal("no full page")
		}
		cancel()
		inW.Close()
		<-done
		out.mu.Lock()
		firsts, fulls = append(firsts, out.first), append(fulls, out.full)
		out.mu.Unlock()
	}
	b.ReportMetric(median(firsts), "first-ms")
	b.ReportMetric(median(fulls), "page-ms")
}

func median(ds []time.Duration) float64 {
	ds = slices.Clone(ds)
	slices.Sort(ds)
	return float64(ds[len(ds)/2].Microseconds()) / 1000
}
