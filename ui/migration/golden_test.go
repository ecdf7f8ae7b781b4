package migration

import (
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/migrate"
	"github.com/magpie-mail/magpie/ui/i18n"
)

// TestGoldenViews snapshots every step at 80x24 and 120x40 in both
// languages (styles stripped; each frame exactly the size given).
func TestGoldenViews(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.ZH, i18n.EN} {
		for _, sz := range []struct{ w, h int }{{80, 24}, {120, 40}} {
			prefix := fmt.Sprintf("%s_%dx%d_", lang, sz.w, sz.h)
			snap := func(name string, d *driver) {
				t.Helper()
				v := d.view()
				checkFrame(t, prefix+name, v, sz.w, sz.h)
				golden(t, prefix+name, v)
			}
			d := newDriver(t, lang, sz.w, sz.h, Deps{})
			d.keys("down")
			snap("1-prepare", d) // QQ Mail, the second preset
			d.keys("enter")
			d.typ("chen@old.test")
			d.keys("tab")
			d.typ("abcd1234")
			snap("2-connect", d)
			d.keys("enter")
			snap("2-planning", d)
			loginErr := &account.ConnError{Account: "x", Protocol: "imap", Endpoint: account.Endpoint{Host: "imap.exmail.qq.com", Port: 993},
				Stage: account.StageLogin, Err: &imap.Error{Type: imap.StatusResponseTypeNo, Text: "LOGIN failed"}}
			d.send(PlannedMsg{ID: d.m.seq, Err: &migrate.ConnError{Side: migrate.SideSource, Err: loginErr}})
			snap("2-connect-failed", d)

			d = connected(t, lang, sz.w, sz.h)
			d.keys("down", "down", "down", "space")
			snap("3-plan", d)
			d.keys("enter")
			r := d.m.run
			r.started = t0
			d.send(ProgressMsg{ID: r.id, Progress: migrate.Progress{Folder: "INBOX", Dest: "INBOX", Phase: migrate.PhaseDone, Total: 12840, Done: 12840, Copied: 12000, Already: 840}})
			d.send(ProgressMsg{ID: r.id, Progress: migrate.Progress{Folder: "Sent Messages", Dest: "Sent", Phase: migrate.PhaseCopy, Total: 3021, Done: 1500, Copied: 1499, Failed: 1}})
			snap("4-run", d)
			r.gate.Pause()
			snap("4-run-pausing", d)
			r.gate.Resume()
			d.send(FinishedMsg{ID: r.id, Report: migrate.Report{Folders: []migrate.FolderReport{
				{Source: "INBOX", Dest: "INBOX", SourceCount: 12840, DestCount: 12840, Copied: 12000, Already: 840, Verdict: migrate.VerdictOK},
				{Source: "Sent Messages", Dest: "Sent", SourceCount: 3021, DestCount: 3020, Copied: 3020, Failed: 1, Missing: 1, Verdict: migrate.VerdictIncomplete,
					Failures: []migrate.Failure{{UID: 812, MessageID: "q3-report@old.test", Size: 31 << 20, Reason: migrate.ReasonTooBig, Detail: "Mail length 32505856 exceeded!"}}},
				{Source: "客户/2024", Dest: "客户/2024", SourceCount: 415, DestCount: 415, Copied: 415, Verdict: migrate.VerdictOK},
			}}})
			d.send(ReportSavedMsg{ID: r.id, Path: "/home/chen/.local/share/magpie/migrate/chen@old.test.report." + string(lang) + ".txt"})
			snap("5-report-failed", d)
			d.m.rep = migrate.Report{Folders: []migrate.FolderReport{{Source: "INBOX", Dest: "INBOX", SourceCount: 9878, DestCount: 9878, Copied: 9878, Verdict: migrate.VerdictOK}}}
			snap("5-report-ok", d)
		}
	}
}
