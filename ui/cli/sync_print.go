package cli

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// syncPrinter shows the events of running engines. It is used from one
// goroutine (the event loop); the caller reads tally and shown after that
// goroutine ended.
//
// On a terminal one line, rewritten in place, shows what every account is
// doing; finished folders are printed above it. Elsewhere only finished
// folders and problems are printed, one line each.
type syncPrinter struct {
	p      *i18n.Printer
	out    io.Writer // finished folders, new mail
	errOut io.Writer // failures
	tty    bool
	once   bool
	width  int
	accts  map[string]account.Account

	progress map[string]string // account → what it does now
	lineUp   bool              // a progress line is on screen
	tally    map[string]tally  // account → folders finished so far
	shown    map[string]bool   // account\x00folder whose failure was printed
	seen     map[string]bool   // account\x00folder printed at least once
	lastErr  map[string]string // account\x00folder → last failure printed (Run repeats them)
	offline  map[string]bool
}

func newSyncPrinter(s *Session, accts []account.Account, once bool) *syncPrinter {
	pr := &syncPrinter{
		p: s.P, out: s.Stdout, errOut: s.Stderr, tty: s.StdoutIsTerminal, once: once, width: s.termWidth(),
		accts: map[string]account.Account{}, progress: map[string]string{}, tally: map[string]tally{},
		shown: map[string]bool{}, seen: map[string]bool{}, lastErr: map[string]string{}, offline: map[string]bool{},
	}
	for _, a := range accts {
		pr.accts[a.Name] = a
	}
	if pr.width <= 0 {
		pr.width = 80
	}
	return pr
}

func (pr *syncPrinter) event(ev mailsync.Event) {
	p := pr.p
	switch ev := ev.(type) {
	case mailsync.FolderProgress:
		pr.progress[ev.Account] = p.T("sync.progress", message.SanitizeLine(ev.Folder), p.T("sync.phase."+string(ev.Phase)), ev.Done, ev.Total)
		pr.drawProgress()
	case mailsync.Indexed:
		delete(pr.progress, ev.Account)
		switch {
		case ev.Err != nil && !pr.once: // --once reports it with the summary
			pr.println(pr.errOut, p.T("sync.index_failed", ev.Account, message.SanitizeLine(ev.Err.Error())))
		case ev.Count > 0:
			pr.println(pr.out, p.T("sync.indexed", ev.Account, ev.Count))
		default:
			pr.drawProgress()
		}
	case mailsync.FolderSynced:
		pr.folderSynced(ev)
	case mailsync.NewMail:
		pr.println(pr.out, p.T("sync.new_mail", ev.Account, message.SanitizeLine(ev.Folder), ev.Count))
	case mailsync.SyncError:
		pr.syncError(ev)
	case mailsync.Online:
		switch {
		case !ev.Online && !pr.offline[ev.Account]:
			pr.offline[ev.Account] = true
			pr.println(pr.errOut, p.T("sync.offline", ev.Account))
		case ev.Online && pr.offline[ev.Account]:
			pr.offline[ev.Account] = false
			pr.println(pr.out, p.T("sync.online", ev.Account))
		}
	case mailsync.OpFinished:
		if ev.Err != nil {
			pr.println(pr.errOut, p.T("sync.op_failed", ev.Account, message.SanitizeLine(ev.Err.Error())))
		}
	case rules.ArrivalApplied:
		pr.arrivalApplied(ev)
	}
}

func (pr *syncPrinter) folderSynced(ev mailsync.FolderSynced) {
	p, fs := pr.p, ev.Summary
	key := ev.Account + "\x00" + fs.Folder
	t := pr.tally[ev.Account]
	t.add(fs)
	pr.tally[ev.Account] = t
	delete(pr.progress, ev.Account)
	if fs.Err != nil {
		pr.folderFailed(ev.Account, fs.Folder, fs.Err)
		return
	}
	delete(pr.lastErr, key)
	changed := fs.New+fs.Updated+fs.Expunged+fs.Bodies > 0 || fs.Reset
	if !pr.once && pr.seen[key] && !changed {
		pr.drawProgress()
		return
	}
	pr.seen[key] = true
	line := p.T("sync.folder_line", ev.Account, message.SanitizeLine(fs.Folder), fs.New, fs.Updated, fs.Expunged, fs.Bodies, fs.Total, fs.Unseen)
	if fs.Reset {
		line += " " + p.T("sync.folder_reset")
	}
	pr.println(pr.out, line)
}

func (pr *syncPrinter) syncError(ev mailsync.SyncError) {
	if ev.Folder != "" {
		pr.folderFailed(ev.Account, ev.Folder, ev.Err)
		return
	}
	if pr.once {
		return // the pass's own error is reported with the summary
	}
	key := ev.Account + "\x00"
	text := explainSyncError(pr.p, pr.accts[ev.Account], ev.Err)
	if pr.lastErr[key] == text {
		return
	}
	pr.lastErr[key] = text
	pr.println(pr.errOut, pr.p.T("sync.account_failed", ev.Account)+"\n"+text)
}

func (pr *syncPrinter) folderFailed(acct, folder string, err error) {
	key := acct + "\x00" + folder
	text := pr.p.T("sync.folder_failed", acct, message.SanitizeLine(folder)) + "\n" + explainSyncError(pr.p, pr.accts[acct], err)
	if pr.lastErr[key] == text {
		return
	}
	pr.lastErr[key] = text
	pr.shown[key] = true
	pr.println(pr.errOut, text)
}

// println prints a finished line above the progress line.
func (pr *syncPrinter) println(w io.Writer, line string) {
	pr.clearProgress()
	fmt.Fprintln(w, line)
	pr.drawProgress()
}

// drawProgress rewrites the progress line (terminal only).
func (pr *syncPrinter) drawProgress() {
	if !pr.tty {
		return
	}
	names := make([]string, 0, len(pr.progress))
	for n := range pr.progress {
		names = append(names, n)
	}
	slices.Sort(names)
	parts := make([]string, 0, len(names))
	for _, n := range names {
		parts = append(parts, n+" "+pr.progress[n])
	}
	pr.clearProgress()
	if len(parts) == 0 {
		return
	}
	// Never wider than the terminal, or it would wrap and stop updating in place.
	fmt.Fprint(pr.out, ansi.Truncate(strings.Join(parts, " · "), pr.width-1, "…"))
	pr.lineUp = true
}

// clearProgress erases the progress line.
func (pr *syncPrinter) clearProgress() {
	if pr.lineUp {
		fmt.Fprint(pr.out, "\r\x1b[2K")
		pr.lineUp = false
	}
}
