package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/migrate"
	"github.com/magpie-mail/magpie/migrate/batch"
	"github.com/magpie-mail/magpie/ui/i18n"
)

type batchFlags struct {
	from, to           string
	fromAdmin, toAdmin string
	separator          string
	parallel, attempts int
	folders, exclude   []string
	since              string
	status, retry      bool
	asJSON             bool
}

func newMigrateBatchCmd(s *Session) *cobra.Command {
	var f batchFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "batch FILE.csv --from OLD --to NEW",
		Short:   p.T("cli.batch.short"),
		Long:    p.T("cli.batch.long"),
		Example: p.T("cli.batch.example"),
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.migrateBatch(cmd.Context(), args[0], f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", p.T("cli.flag.batch_from"))
	fl.StringVar(&f.to, "to", "", p.T("cli.flag.batch_to"))
	fl.StringVar(&f.fromAdmin, "from-admin", "", p.T("cli.flag.batch_from_admin"))
	fl.StringVar(&f.toAdmin, "to-admin", "", p.T("cli.flag.batch_to_admin"))
	// No default shows in the flags (cobra words it in English): zero
	// values mean the defaults the help text names.
	fl.StringVar(&f.separator, "master-separator", "", p.T("cli.flag.batch_separator"))
	fl.IntVar(&f.parallel, "parallel", 0, p.T("cli.flag.batch_parallel"))
	fl.IntVar(&f.attempts, "max-attempts", 0, p.T("cli.flag.batch_attempts"))
	fl.StringArrayVar(&f.folders, "folders", nil, p.T("cli.flag.migrate_folders"))
	fl.StringArrayVar(&f.exclude, "exclude", nil, p.T("cli.flag.migrate_exclude"))
	fl.StringVar(&f.since, "since", "", p.T("cli.flag.migrate_since"))
	fl.BoolVar(&f.status, "status", false, p.T("cli.flag.batch_status"))
	fl.BoolVar(&f.retry, "retry-given-up", false, p.T("cli.flag.batch_retry"))
	fl.BoolVar(&f.asJSON, "json", false, p.T("cli.flag.json"))
	return cmd
}

// migrateBatch runs (or with --status shows) the batch of file. Exit 0
// when every row succeeded, 1 otherwise, 2 for a bad CSV or flags.
func (s *Session) migrateBatch(ctx context.Context, file string, f batchFlags) error {
	p := s.P
	if f.parallel < 0 || f.attempts < 0 {
		return usage("--parallel and --max-attempts must be at least 1")
	}
	if f.parallel == 0 {
		f.parallel = 2
	}
	if err := migrate.CheckGlobs(slices.Concat(f.folders, f.exclude)); err != nil {
		return usage("%v", err)
	}
	opts := migrate.Options{Folders: f.folders, Exclude: f.exclude}
	if f.since != "" {
		t, err := time.ParseInLocation("2006-01-02", f.since, time.Local)
		if err != nil {
			return usage("--since %q: want YYYY-MM-DD", f.since)
		}
		opts.Since = t
	}
	fromAdmin, err := batch.ParseAdmin(f.fromAdmin)
	if err != nil {
		return usage("--from-admin %q: want none, master or authzid", f.fromAdmin)
	}
	toAdmin, err := batch.ParseAdmin(f.toAdmin)
	if err != nil {
		return usage("--to-admin %q: want none, master or authzid", f.toAdmin)
	}
	fh, err := os.Open(file)
	if err != nil {
		return s.fail(err, p.T("batch.csv_open", file, message.SanitizeLine(err.Error())))
	}
	rows, err := batch.Parse(fh)
	fh.Close()
	if err != nil {
		return usageError{errors.New(csvErrorText(p, file, err))}
	}
	if s.Paths.DataDir == "" {
		return s.fail(account.ErrNoHome, p.T("cli.no_home"))
	}
	dir := batch.DirFor(s.Paths.DataDir, file)
	if f.status {
		st, err := batch.LoadState(dir)
		if err != nil {
			return s.fail(err, p.T("sync.err_other", message.SanitizeLine(err.Error())))
		}
		table, _ := st.Table(rows)
		return s.printBatch(table, f.asJSON)
	}
	if f.from == "" || f.to == "" {
		return usage("--from and --to are required (accounts naming the old and the new servers)")
	}
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	var tpl [2]batch.Template
	for i, name := range []string{f.from, f.to} {
		a, ok := cfg.Account(name)
		if !ok {
			return s.fail(account.ErrNotFound, p.T("account.not_found", name))
		}
		tpl[i] = batch.Template{Account: a, Admin: []batch.Admin{fromAdmin, toAdmin}[i], MasterSeparator: f.separator}
	}
	if src := tpl[0].Account; !opts.Since.IsZero() && src.IMAP.IsZero() && !src.POP3.IsZero() {
		return usage("--since: %s reads mail over POP3, which cannot select by date", f.from)
	}
	if err := batch.Check(rows, tpl[0], tpl[1]); err != nil {
		return usageError{errors.New(csvErrorText(p, file, err))}
	}
	d, closer, err := s.dialer()
	if err != nil {
		return err
	}
	defer closer.Close()
	var mu sync.Mutex
	last := map[string]batch.Status{}
	bc := batch.Config{From: tpl[0], To: tpl[1], Dialer: d, Dir: dir, Parallel: f.parallel, MaxAttempts: f.attempts,
		RetryGivenUp: f.retry, Options: opts,
		OnChange: func(rs batch.RowState) {
			mu.Lock()
			defer mu.Unlock()
			if last[rs.Key] != rs.Status {
				last[rs.Key] = rs.Status
				fmt.Fprintln(s.Stderr, p.T("batch.row_status", message.SanitizeLine(rs.Source), message.SanitizeLine(rs.Dest), p.T("batch.status."+string(rs.Status))))
			}
		}}
	fmt.Fprintln(s.Stderr, p.T("batch.starting", len(rows), f.parallel, dir))
	table, err := batch.Run(ctx, rows, bc)
	var busy *batch.BusyError
	if errors.As(err, &busy) {
		return s.fail(err, p.T("batch.busy", busy.PID))
	}
	if perr := s.printBatch(table, f.asJSON); perr != nil {
		return perr
	}
	switch {
	case err != nil && ctx.Err() != nil:
		return s.fail(err, p.T("batch.interrupted"))
	case err != nil:
		return s.fail(err, p.T("sync.err_other", message.SanitizeLine(err.Error())))
	}
	for _, r := range table {
		if r.Status != batch.StatusSucceeded {
			return s.fail(errors.New("batch: not all rows succeeded"), p.T("batch.not_all"))
		}
	}
	fmt.Fprintln(s.Stderr, p.T("batch.all_done"))
	return nil
}

// printBatch prints the status table: the counts per status, then one
// line per row with its message counts and, for a failure, what happened.
func (s *Session) printBatch(table []batch.RowState, asJSON bool) error {
	if asJSON {
		return s.printJSON(table)
	}
	p := s.P
	by := map[batch.Status]int{}
	for _, r := range table {
		by[r.Status]++
	}
	line := p.T("batch.count_all", len(table))
	for _, st := range batch.Statuses {
		line += " · " + p.T("batch.status."+string(st)) + " " + strconv.Itoa(by[st])
	}
	fmt.Fprintln(s.Stdout, line)
	rows := [][]string{{p.T("batch.col.source"), p.T("batch.col.dest"), p.T("batch.col.status"), p.T("batch.col.total"),
		p.T("batch.col.copied"), p.T("batch.col.already"), p.T("batch.col.failed"), p.T("batch.col.attempts")}}
	var notes []string
	for _, r := range table {
		rows = append(rows, []string{message.SanitizeLine(r.Source), message.SanitizeLine(r.Dest), p.T("batch.status." + string(r.Status)),
			strconv.Itoa(r.Total), strconv.Itoa(r.Copied), strconv.Itoa(r.Already + r.Previously), strconv.Itoa(r.Failed), strconv.Itoa(r.Attempts)})
		if r.Err != batch.ErrNone {
			notes = append(notes, message.SanitizeLine(r.Source)+": "+batchErrText(p, r))
		}
	}
	writeTable(s.Stdout, rows)
	for _, n := range notes {
		fmt.Fprintln(s.Stdout, n)
	}
	return nil
}

// batchErrText words a row's failure with what to do.
func batchErrText(p *i18n.Printer, r batch.RowState) string {
	switch r.Err {
	case batch.ErrSource, batch.ErrDest:
		side := p.T("batch.side." + string(r.Err))
		return p.T("batch.err_connect", side, p.T("batch.problem."+batchProblem(r.Problem)), message.SanitizeLine(r.Detail))
	case batch.ErrNotVerified:
		return p.T("batch.err_not_verified", r.Failed, r.Report)
	}
	return p.T("sync.err_other", message.SanitizeLine(r.Detail))
}

// batchProblem maps a diagnosis code to the few the batch words.
func batchProblem(code string) string {
	switch account.Problem(code) {
	case account.ProblemWrongPassword, account.ProblemAuthzid, account.ProblemPasswordCmd, account.ProblemTLS,
		account.ProblemRefused, account.ProblemTimeout, account.ProblemDNS, account.ProblemIMAPDisabled:
		return code
	}
	return "other"
}

// csvErrorText words a *batch.CSVError: the file, line, column and what
// is wrong.
func csvErrorText(p *i18n.Printer, file string, err error) string {
	var ce *batch.CSVError
	if !errors.As(err, &ce) {
		return p.T("batch.csv_open", file, message.SanitizeLine(err.Error()))
	}
	where := p.T("batch.csv_where_line", file, ce.Line)
	if ce.Column > 0 {
		where = p.T("batch.csv_where", file, ce.Line, ce.Column)
	}
	if ce.Name != "" {
		where += " (" + ce.Name + ")"
	}
	var what string
	switch ce.Problem {
	case batch.ProblemSyntax:
		what = p.T("batch.csv.syntax", message.SanitizeLine(fmt.Sprint(ce.Err)))
	case batch.ProblemUnknownColumn, batch.ProblemAddress, batch.ProblemDupRow, batch.ProblemSameAddress:
		what = p.T("batch.csv."+string(ce.Problem), message.SanitizeLine(ce.Value))
	default:
		what = p.T("batch.csv." + string(ce.Problem))
	}
	return p.T("batch.csv_error", where, what)
}
