package migrate

import (
	"testing"

	"github.com/magpie-mail/magpie/internal/corpus"
	"github.com/magpie-mail/magpie/internal/testenv"
)

func TestCorpusMigratesByteIdenticalAndReRunCopiesNothing(t *testing.T) {
	d := testenv.Dovecot(t)
	src, dst := dovecotSide(t, d, d.NewUser(t)), dovecotSide(t, d, d.NewUser(t))
	upload(t, src, corpus.Options{Seed: 11, Messages: 300, LargeEvery: 150, Malformed: true})
	before := snapshot(t, src)
	opts := Options{JournalDir: t.TempDir()}
	p := plan(t, src, dst, opts)
	if p.TotalCount != 300 {
		t.Fatalf("plan counts %d messages, want 300", p.TotalCount)
	}
	for _, f := range p.Folders {
		if f.Source == "Sent" && f.Dest != "Sent" || f.Source == "客户邮件/2024" && f.Dest != "客户邮件/2024" {
			t.Errorf("mapping %q → %q", f.Source, f.Dest)
		}
	}
	rep := run(t, p, opts)
	if !rep.Verified() {
		t.Fatalf("not verified: %+v", rep)
	}
	if tot := rep.Totals(); tot.Copied != 300 || tot.Failed != 0 || tot.Missing != 0 || tot.Extra != 0 {
		t.Errorf("totals %+v", tot)
	}
	after := snapshot(t, src)
	sameSnapshot(t, before, after)
	sameFolders(t, p, after, snapshot(t, dst))

	rep = run(t, plan(t, src, dst, opts), opts)
	if tot := rep.Totals(); !rep.Verified() || tot.Copied != 0 || tot.Already != 0 || tot.Previously != 300 {
		t.Errorf("re-run: verified=%v %+v", rep.Verified(), tot)
	}
	sameFolders(t, p, before, snapshot(t, dst))
	sameSnapshot(t, before, snapshot(t, src))
	loaded, err := LoadReport(ReportPath(opts.JournalDir, src, dst))
	if err != nil || len(loaded.Folders) != len(rep.Folders) {
		t.Errorf("saved report: %v %d folders", err, len(loaded.Folders))
	}
}
