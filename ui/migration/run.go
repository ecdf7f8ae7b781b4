package migration

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/migrate"
)

// runState is one run, shared by the Model's copies: the gate that pauses
// it, the cancel that stops it, the events it sends, and what they said.
type runState struct {
	id      int
	plan    migrate.Plan // the chosen folders only
	gate    *migrate.Gate
	cancel  context.CancelFunc
	events  <-chan tea.Msg
	started time.Time
	folders []migrate.Progress // in plan order
	total   int
	bytes   int64
	// finished: FinishedMsg arrived; stopping: the user asked to stop.
	finished, stopping bool
}

// totals sums the folders.
func (r *runState) totals() migrate.Progress {
	var t migrate.Progress
	for _, f := range r.folders {
		t.Total += f.Total
		t.Done += f.Done
		t.Copied += f.Copied
		t.Already += f.Already
		t.Failed += f.Failed
	}
	return t
}

// doneBytes estimates the bytes decided: each folder's size in proportion
// to its messages decided.
func (r *runState) doneBytes() int64 {
	var n int64
	for i, f := range r.folders {
		if f.Total > 0 {
			n += r.plan.Folders[i].Size * int64(min(f.Done, f.Total)) / int64(f.Total)
		}
	}
	return n
}

func (m Model) keyPlan(k tea.KeyPressMsg) (Model, tea.Cmd) {
	n := len(m.plan.Folders)
	switch {
	case matches(k, m.keys.Back):
		m.step = stepConnect
	case matches(k, m.keys.Up):
		m.pcursor = max(m.pcursor-1, 0)
	case matches(k, m.keys.Down):
		m.pcursor = min(m.pcursor+1, max(n-1, 0))
	case matches(k, m.keys.Toggle):
		if n > 0 {
			m.selected[m.pcursor] = !m.selected[m.pcursor]
		}
	case matches(k, m.keys.All):
		all := !allTrue(m.selected)
		for i := range m.selected {
			m.selected[i] = all
		}
	case matches(k, m.keys.Next):
		if !anyTrue(m.selected) {
			return m, nil
		}
		return m.startRun()
	}
	return m, nil
}

func allTrue(b []bool) bool {
	for _, v := range b {
		if !v {
			return false
		}
	}
	return true
}

func anyTrue(b []bool) bool {
	for _, v := range b {
		if v {
			return true
		}
	}
	return false
}

// chosen sums the selected folders.
func (m Model) chosen() (int, int64) {
	var c int
	var s int64
	for i, f := range m.plan.Folders {
		if m.selected[i] {
			c += f.Messages
			s += f.Size
		}
	}
	return c, s
}

// estimate is a rough duration for count messages of size bytes: the
// slower of 20 messages/s and 2 MB/s, what a provider that allows few
// connections gives; the Run step shows the measured rate.
func estimate(count int, size int64) time.Duration {
	byCount := time.Duration(count) * time.Second / 20
	bySize := time.Duration(size/(2<<20)) * time.Second
	return max(byCount, bySize, time.Second)
}

// startRun returns the Cmd that runs the chosen folders in a goroutine
// whose messages come back through waitCmd.
func (m Model) startRun() (Model, tea.Cmd) {
	plan := m.plan
	plan.Folders, plan.TotalCount, plan.TotalSize = nil, 0, 0
	for i, f := range m.plan.Folders {
		if m.selected[i] {
			plan.Folders = append(plan.Folders, f)
			plan.TotalCount += f.Messages
			plan.TotalSize += f.Size
		}
	}
	m.seq++
	ctx, cancel := context.WithCancel(m.d.Context)
	r := &runState{id: m.seq, plan: plan, gate: &migrate.Gate{}, cancel: cancel, started: m.d.Now(),
		folders: make([]migrate.Progress, len(plan.Folders)), total: plan.TotalCount, bytes: plan.TotalSize}
	for i, f := range plan.Folders {
		r.folders[i] = migrate.Progress{Folder: f.Path, Dest: f.Dest, Total: f.Messages}
	}
	events := make(chan tea.Msg, 64)
	r.events = events
	m.run, m.step, m.file, m.ferr = r, stepRun, "", nil
	opts := migrate.Options{JournalDir: filepath.Join(m.d.DataDir, "migrate"), Gate: r.gate}
	id := r.id
	return m, func() tea.Msg {
		go runMigration(ctx, id, plan, opts, events)
		return waitCmd(events)()
	}
}

// runMigration is the run's goroutine: Progress becomes ProgressMsg, the
// end FinishedMsg, then the channel closes.
func runMigration(ctx context.Context, id int, plan migrate.Plan, opts migrate.Options, events chan<- tea.Msg) {
	defer close(events)
	progress := make(chan migrate.Progress)
	opts.Progress = progress
	done := make(chan FinishedMsg, 1)
	go func() {
		rep, err := migrate.Run(ctx, plan, opts)
		close(progress)
		done <- FinishedMsg{ID: id, Report: rep, Err: err}
	}()
	for pr := range progress {
		select {
		case events <- ProgressMsg{ID: id, Progress: pr}:
		case <-ctx.Done():
		}
	}
	events <- <-done
}

// waitCmd reads the run's next message.
func waitCmd(events <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-events
		if !ok {
			return nil
		}
		return msg
	}
}

func (m Model) progress(msg ProgressMsg) (Model, tea.Cmd) {
	if m.run == nil || msg.ID != m.run.id {
		return m, nil
	}
	for i := range m.run.folders {
		if m.run.plan.Folders[i].Path == msg.Progress.Folder {
			m.run.folders[i] = msg.Progress
		}
	}
	return m, waitCmd(m.run.events)
}

func (m Model) finished(msg FinishedMsg) (Model, tea.Cmd) {
	if m.run == nil || msg.ID != m.run.id {
		return m, nil
	}
	m.run.finished = true
	m.run.cancel()
	m.rep, m.rerr, m.step = msg.Report, msg.Err, stepReport
	path := strings.TrimSuffix(migrate.ReportPath(filepath.Join(m.d.DataDir, "migrate"), m.run.plan.Source, m.run.plan.Dest), ".json") +
		"." + string(m.p.Lang()) + ".txt"
	text := ansi.Strip(strings.Join(m.reportLines(), "\n")) + "\n"
	return m, saveCmd(msg.ID, path, text)
}

// saveCmd writes the readable report.
func saveCmd(id int, path, text string) tea.Cmd {
	return func() tea.Msg {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return ReportSavedMsg{ID: id, Err: err}
		}
		return ReportSavedMsg{ID: id, Path: path, Err: os.WriteFile(path, []byte(text), 0o600)}
	}
}

func (m Model) keyRun(k tea.KeyPressMsg) (Model, tea.Cmd) {
	r := m.run
	switch {
	case matches(k, m.keys.Pause):
		if r.gate.Paused() {
			r.gate.Resume()
		} else {
			r.gate.Pause()
		}
	case matches(k, m.keys.Stop):
		r.stopping = true
		r.cancel() // the run ends between messages; FinishedMsg follows
	case matches(k, m.keys.Hide):
		return m, emit(HideMsg{})
	}
	return m, nil
}

func (m Model) keyReport(k tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case matches(k, m.keys.Again):
		// Continue or catch up: plan again (new mail, changed folders)
		// with the same inputs; the journal skips what is done.
		m.seq++
		m.step = stepPlanning
		return m, planCmd(m.d.Context, m.seq, [2]migrate.Side{m.run.plan.Source, m.run.plan.Dest}, m.form.value(fieldPassword))
	case matches(k, m.keys.Next, m.keys.Back):
		return m, emit(ClosedMsg{})
	}
	return m, nil
}
