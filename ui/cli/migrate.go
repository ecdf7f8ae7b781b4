package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/migrate"
)

type migrateFlags struct {
	from, to         string
	folders, exclude []string
	since            string
	dryRun, asJSON   bool
	jobs             int
	ignoreQuota      bool
}

func newMigrateCmd(s *Session) *cobra.Command {
	var f migrateFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "migrate --from OLD --to NEW",
		Short:   p.T("cli.migrate.short"),
		Long:    p.T("cli.migrate.long"),
		Example: p.T("cli.migrate.example"),
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return s.migrate(cmd.Context(), f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", p.T("cli.flag.migrate_from"))
	fl.StringVar(&f.to, "to", "", p.T("cli.flag.migrate_to"))
	fl.StringArrayVar(&f.folders, "folders", nil, p.T("cli.flag.migrate_folders"))
	fl.StringArrayVar(&f.exclude, "exclude", nil, p.T("cli.flag.migrate_exclude"))
	fl.StringVar(&f.since, "since", "", p.T("cli.flag.migrate_since"))
	fl.BoolVar(&f.dryRun, "dry-run", false, p.T("cli.flag.migrate_dry_run"))
	fl.IntVar(&f.jobs, "jobs", 0, p.T("cli.flag.migrate_jobs"))
	fl.BoolVar(&f.ignoreQuota, "ignore-quota", false, p.T("cli.flag.migrate_ignore_quota"))
	fl.BoolVar(&f.asJSON, "json", false, p.T("cli.flag.json"))
	cmd.AddCommand(newMigrateBatchCmd(s), newMigrateWizardCmd(s))
	return cmd
}

// migrate plans and runs a migration, printing progress on stderr and the
// report on stdout. Exit 0 only when every folder verified.
func (s *Session) migrate(ctx context.Context, f migrateFlags) error {
	p := s.P
	if f.from == "" || f.to == "" {
		return usage("--from and --to are required")
	}
	if f.from == f.to {
		return usage("--from and --to name the same account")
	}
	if f.jobs < 0 {
		return usage("--jobs %d: want a positive number", f.jobs)
	}
	opts := migrate.Options{Folders: f.folders, Exclude: f.exclude, Jobs: f.jobs}
	if f.since != "" {
		t, err := time.ParseInLocation("2006-01-02", f.since, time.Local)
		if err != nil {
			return usage("--since %q: want YYYY-MM-DD", f.since)
		}
		opts.Since = t
	}
	if err := migrate.CheckGlobs(slices.Concat(f.folders, f.exclude)); err != nil {
		return usage("%v", err)
	}
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	var accts [2]account.Account
	for i, name := range []string{f.from, f.to} {
		a, ok := cfg.Account(name)
		if !ok {
			return s.fail(account.ErrNotFound, p.T("account.not_found", name))
		}
		accts[i] = a
	}
	if s.Paths.DataDir == "" {
		return s.fail(account.ErrNoHome, p.T("cli.no_home"))
	}
	opts.JournalDir = filepath.Join(s.Paths.DataDir, "migrate")
	d, closer, err := s.dialer()
	if err != nil {
		return err
	}
	defer closer.Close()
	src, dst := migrate.Side{Account: accts[0], Dialer: d}, migrate.Side{Account: accts[1], Dialer: d}

	start := time.Now()
	fmt.Fprintln(s.Stderr, p.T("migrate.planning", f.from, f.to))
	plan, err := migrate.NewPlan(ctx, src, dst, opts)
	switch {
	case errors.Is(err, migrate.ErrSinceWithPOP3):
		return usage("--since: %s reads mail over POP3, which cannot select by date", f.from)
	case errors.Is(err, migrate.ErrDestNotIMAP):
		return s.fail(err, p.T("migrate.dest_not_imap", f.to))
	case err != nil:
		return s.fail(err, s.explainMigrateError(ctx, accts, err))
	}
	if f.dryRun {
		if f.asJSON {
			return s.printJSON(plan.Folders)
		}
		s.printPlan(plan)
		return nil
	}
	if q := plan.Quota; q != nil && !q.Fits() {
		fmt.Fprintln(s.Stderr, s.quotaLine(*q))
		if !f.ignoreQuota {
			return s.fail(errors.New("migrate: destination quota too small"), s.quotaShort(*q))
		}
		fmt.Fprintln(s.Stderr, p.T("migrate.quota_ignored"))
	}
	progress := make(chan migrate.Progress, 64)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		for pr := range progress {
			s.printProgress(pr, start)
		}
	}()
	opts.Progress = progress
	rep, err := migrate.Run(ctx, plan, opts)
	close(progress)
	<-printed
	if f.asJSON {
		if jerr := s.printJSON(rep); jerr != nil {
			return jerr
		}
	} else {
		s.printReport(rep, migrate.ReportPath(opts.JournalDir, src, dst))
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return s.fail(err, p.T("migrate.interrupted"))
	case err != nil:
		return s.fail(err, s.explainMigrateError(ctx, accts, err))
	case !rep.Verified():
		return s.fail(errors.New("migrate: not verified"), p.T("migrate.not_verified"))
	}
	fmt.Fprintln(s.Stderr, p.T("migrate.verified"))
	return nil
}

func (s *Session) printJSON(v any) error {
	enc := json.NewEncoder(s.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return s.fail(err, s.P.T("sync.err_other", message.SanitizeLine(err.Error())))
	}
	return nil
}

// explainMigrateError words a failure: a side unreachable (with the
// diagnosis and its fix), the journal, or anything else.
func (s *Session) explainMigrateError(ctx context.Context, accts [2]account.Account, err error) string {
	p := s.P
	var ce *migrate.ConnError
	if errors.As(err, &ce) {
		a := accts[0]
		if ce.Side == migrate.SideDest {
			a = accts[1]
		}
		d := account.Diagnose(ce.Err)
		if d.Endpoint.IsZero() {
			d.Endpoint = a.IMAP
			if a.IMAP.IsZero() {
				d.Endpoint = a.POP3
			}
		}
		return p.T("migrate.side."+string(ce.Side), a.Name) + "\n" + explainDiagnosis(p, a, d)
	}
	if ctx.Err() != nil {
		return p.T("migrate.interrupted")
	}
	if errors.Is(err, migrate.ErrJournalMismatch) {
		return p.T("migrate.journal_mismatch", message.SanitizeLine(err.Error()))
	}
	return p.T("sync.err_other", message.SanitizeLine(err.Error()))
}

func (s *Session) printPlan(plan migrate.Plan) {
	p := s.P
	for _, f := range plan.Folders {
		line := p.T("migrate.plan_line", message.SanitizeLine(f.Path), message.SanitizeLine(f.Dest), f.Messages, humanize.IBytes(uint64(f.Size)))
		if f.Role != account.RoleNone {
			line += " " + p.T("migrate.role", p.T("role."+string(f.Role)))
		}
		if !f.DestExists {
			line += " " + p.T("migrate.will_create")
		}
		if f.Renamed != migrate.RenameNone {
			line += " " + p.T("migrate.renamed."+string(f.Renamed))
		}
		fmt.Fprintln(s.Stdout, line)
	}
	fmt.Fprintln(s.Stdout, p.T("migrate.plan_total", len(plan.Folders), plan.TotalCount, humanize.IBytes(uint64(plan.TotalSize))))
	if plan.PendingCount != plan.TotalCount {
		fmt.Fprintln(s.Stdout, p.T("migrate.plan_pending", plan.PendingCount, humanize.IBytes(uint64(plan.PendingSize))))
	}
	if q := plan.Quota; q != nil {
		fmt.Fprintln(s.Stdout, s.quotaLine(*q))
		if !q.Fits() {
			fmt.Fprintln(s.Stdout, s.quotaShort(*q))
		}
	}
}

// quotaLine states the destination's quota and what is still to copy.
func (s *Session) quotaLine(q migrate.Quota) string {
	p := s.P
	if q.StorageLimit > 0 {
		return p.T("migrate.quota_storage", humanize.IBytes(uint64(q.StorageUsed)), humanize.IBytes(uint64(q.StorageLimit)), humanize.IBytes(uint64(q.NeedBytes)))
	}
	return p.T("migrate.quota_messages", q.MessagesUsed, q.MessagesLimit, q.NeedMessages)
}

// quotaShort says the copy will not fit and what to do.
func (s *Session) quotaShort(q migrate.Quota) string {
	p := s.P
	if q.StorageLimit > 0 && q.StorageUsed+q.NeedBytes > q.StorageLimit {
		return p.T("migrate.quota_short_storage", humanize.IBytes(uint64(q.NeedBytes)), humanize.IBytes(uint64(max(0, q.StorageLimit-q.StorageUsed))))
	}
	return p.T("migrate.quota_short_messages", q.NeedMessages, max(0, q.MessagesLimit-q.MessagesUsed))
}

// printProgress writes a line after each batch (up to 250 messages),
// when a folder is done, and when the whole copy is (every message on the
// destination, verification to come; with the time since start).
func (s *Session) printProgress(pr migrate.Progress, start time.Time) {
	switch {
	case pr.Phase == migrate.PhaseCopied:
		fmt.Fprintln(s.Stderr, s.P.T("migrate.copied", pr.Total, pr.Copied, pr.Already, pr.Failed,
			time.Since(start).Round(100*time.Millisecond).String()))
	case pr.Phase == migrate.PhaseDone,
		pr.Phase == migrate.PhaseCopy && pr.Done > 0 && pr.Done < pr.Total:
		fmt.Fprintln(s.Stderr, s.P.T("migrate.progress", message.SanitizeLine(pr.Folder), message.SanitizeLine(pr.Dest),
			pr.Done, pr.Total, pr.Copied, pr.Already, pr.Failed))
	}
}

func (s *Session) printReport(rep migrate.Report, path string) {
	p := s.P
	for _, f := range rep.Folders {
		fmt.Fprintln(s.Stdout, p.T("migrate.folder_line", p.T("migrate.verdict."+string(f.Verdict)), message.SanitizeLine(f.Source),
			message.SanitizeLine(f.Dest), f.SourceCount, f.DestCount, f.Copied, f.Already, f.Previously, f.Failed))
		if f.Renamed != migrate.RenameNone {
			fmt.Fprintln(s.Stdout, "    "+p.T("migrate.renamed."+string(f.Renamed)))
		}
		if f.Unchanged {
			fmt.Fprintln(s.Stdout, "    "+p.T("migrate.unchanged", f.VerifiedAt.Local().Format("2006-01-02 15:04")))
		}
		if f.Missing > 0 || f.Extra > 0 {
			fmt.Fprintln(s.Stdout, "    "+p.T("migrate.missing_extra", f.Missing, f.Extra))
		}
		if len(f.DroppedKeywords) > 0 {
			fmt.Fprintln(s.Stdout, "    "+p.T("migrate.dropped_keywords", message.SanitizeLine(fmt.Sprint(f.DroppedKeywords))))
		}
		for _, fl := range f.Failures {
			fmt.Fprintln(s.Stdout, "    "+p.T("migrate.failure", fl.UID, message.SanitizeLine(fl.MessageID), humanize.IBytes(uint64(fl.Size)),
				p.T("migrate.reason."+string(fl.Reason)), message.SanitizeLine(fl.Detail)))
		}
		if f.Err != "" {
			fmt.Fprintln(s.Stdout, "    "+p.T("sync.err_other", message.SanitizeLine(f.Err)))
		}
	}
	t := rep.Totals()
	fmt.Fprintln(s.Stdout, p.T("migrate.summary", len(rep.Folders), t.SourceCount, t.Copied, t.Already, t.Previously, t.Failed))
	fmt.Fprintln(s.Stdout, p.T("migrate.report_saved", path))
}
