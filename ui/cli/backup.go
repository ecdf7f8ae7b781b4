package cli

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/migrate"
)

type backupFlags struct {
	to, format       string
	folders, exclude []string
	since            string
	asJSON           bool
}

func newBackupCmd(s *Session) *cobra.Command {
	var f backupFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "backup ACCOUNT --to DIR",
		Short:   p.T("cli.backup.short"),
		Long:    p.T("cli.backup.long"),
		Example: p.T("cli.backup.example"),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.backup(cmd.Context(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.to, "to", "", p.T("cli.flag.backup_to"))
	fl.StringVar(&f.format, "format", string(migrate.FormatMaildir), p.T("cli.flag.backup_format"))
	fl.StringArrayVar(&f.folders, "folders", nil, p.T("cli.flag.migrate_folders"))
	fl.StringArrayVar(&f.exclude, "exclude", nil, p.T("cli.flag.migrate_exclude"))
	fl.StringVar(&f.since, "since", "", p.T("cli.flag.migrate_since"))
	fl.BoolVar(&f.asJSON, "json", false, p.T("cli.flag.json"))
	return cmd
}

// backup copies an account into a local archive through the migration
// engine, printing progress on stderr and the report on stdout. Exit 0
// only when every folder verified.
func (s *Session) backup(ctx context.Context, name string, f backupFlags) error {
	p := s.P
	if f.to == "" {
		return usage("--to is required")
	}
	format := migrate.Format(f.format)
	if format != migrate.FormatMaildir && format != migrate.FormatMbox {
		return usage("--format %q: want maildir or mbox", f.format)
	}
	opts := migrate.Options{Folders: f.folders, Exclude: f.exclude}
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
	a, ok := cfg.Account(name)
	if !ok {
		return s.fail(account.ErrNotFound, p.T("account.not_found", name))
	}
	if s.Paths.DataDir == "" {
		return s.fail(account.ErrNoHome, p.T("cli.no_home"))
	}
	opts.JournalDir = filepath.Join(s.Paths.DataDir, "migrate")
	dir, err := filepath.Abs(f.to)
	if err != nil {
		return usage("--to %q: %v", f.to, err)
	}
	d, closer, err := s.dialer()
	if err != nil {
		return err
	}
	defer closer.Close()
	src := migrate.Side{Account: a, Dialer: d}
	if !opts.Since.IsZero() && a.IMAP.IsZero() {
		return usage("--since: %s reads mail over POP3, which cannot select by date", name)
	}
	fmt.Fprintln(s.Stderr, p.T("backup.starting", name, dir, string(format)))
	start := time.Now()
	progress := make(chan migrate.Progress, 64)
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		for pr := range progress {
			s.printProgress(pr, start)
		}
	}()
	opts.Progress = progress
	rep, err := migrate.Backup(ctx, src, dir, format, opts)
	close(progress)
	<-printed
	if f.asJSON {
		if jerr := s.printJSON(rep); jerr != nil {
			return jerr
		}
	} else {
		s.printReport(rep, migrate.BackupReportPath(opts.JournalDir, src, dir, format))
	}
	accts := [2]account.Account{a, a}
	switch {
	case err != nil && ctx.Err() != nil:
		return s.fail(err, p.T("migrate.interrupted"))
	case err != nil:
		return s.fail(err, s.explainMigrateError(ctx, accts, err))
	case !rep.Verified():
		return s.fail(errors.New("migrate: backup not verified"), p.T("backup.not_verified"))
	}
	fmt.Fprintln(s.Stderr, p.T("backup.verified", dir))
	return nil
}
