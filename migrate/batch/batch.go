package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/migrate"
)

// Admin is how one side's delegated admin logs in for a row.
type Admin string

const (
	// AdminNone: no admin; every row needs that side's password command.
	AdminNone Admin = ""
	// AdminMaster: Dovecot's master user: the login name is
	// "<row address><separator><admin login>" with the admin's password.
	AdminMaster Admin = "master"
	// AdminAuthzid: SASL PLAIN (RFC 4616) with the admin as authentication
	// identity and the row's address as authorization identity.
	AdminAuthzid Admin = "authzid"
)

// ParseAdmin accepts "", "none", "master" and "authzid".
func ParseAdmin(s string) (Admin, error) {
	switch Admin(strings.ToLower(strings.TrimSpace(s))) {
	case "", "none":
		return AdminNone, nil
	case AdminMaster:
		return AdminMaster, nil
	case AdminAuthzid:
		return AdminAuthzid, nil
	}
	return "", fmt.Errorf("batch: admin %q (want none, master or authzid): %w", s, ErrBadAdmin)
}

// ErrBadAdmin means an unknown admin mode.
var ErrBadAdmin = errors.New("unknown admin mode")

// DefaultMasterSeparator is Dovecot's auth_master_user_separator.
const DefaultMasterSeparator = "*"

// Template is one side of every row: an account whose servers, security
// and CA file are used for each row's address and, with an Admin, whose
// login name and password (its PasswordCmd, or the secret store under its
// Name) are the admin's.
type Template struct {
	Account         account.Account
	Admin           Admin
	MasterSeparator string // "" means DefaultMasterSeparator
}

// account is the row's account on this side.
func (t Template) account(addr, passwordCmd string) account.Account {
	a := t.Account
	a.Email, a.AuthorizeAs = addr, ""
	a.Aliases, a.Groups = nil, nil
	switch {
	case passwordCmd != "": // the row's own credentials win
		a.Name, a.Username, a.PasswordCmd = addr, "", passwordCmd
	case t.Admin == AdminMaster:
		sep := t.MasterSeparator
		if sep == "" {
			sep = DefaultMasterSeparator
		}
		a.Username = addr + sep + t.Account.LoginName()
	case t.Admin == AdminAuthzid:
		a.Username, a.AuthorizeAs = t.Account.LoginName(), addr
	}
	return a
}

// Config is a batch run.
type Config struct {
	From, To Template
	Dialer   *account.Dialer
	// Dir keeps the state and, per row, the migration journal and report
	// (see DirFor). Required.
	Dir string
	// Parallel is how many rows migrate at once; 0 means 2.
	Parallel int
	// MaxAttempts is how many failed runs in a row give a row up; 0 means 3.
	MaxAttempts int
	// RetryGivenUp runs given-up rows again (their failure count restarts).
	RetryGivenUp bool
	// Options select folders (Folders, Exclude, Since) for every row; its
	// JournalDir, Progress and Gate are set by Run.
	Options migrate.Options
	// Gate, when set, pauses every running row between messages.
	Gate *migrate.Gate
	// OnChange, when set, receives a row's state after every change of
	// status and every message; it is called from Run's goroutines, one
	// call at a time, and must not block for long.
	OnChange func(RowState)
}

// DirFor is the directory of the batch described by csvPath inside
// dataDir: "<dataDir>/migrate/batch/<file name>-<hash of the absolute
// path>", so two CSV files never share a state.
func DirFor(dataDir, csvPath string) string {
	abs, err := filepath.Abs(csvPath)
	if err != nil {
		abs = csvPath
	}
	sum := sha256.Sum256([]byte(abs))
	base := strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs))
	var b strings.Builder
	for _, r := range base {
		if r < 0x20 || strings.ContainsRune(`/\:*?"<>|`, r) {
			r = '_'
		}
		b.WriteRune(r)
	}
	return filepath.Join(dataDir, "migrate", "batch", b.String()+"-"+hex.EncodeToString(sum[:4]))
}

// Check reports a row that has no credentials for a side: no password
// command and no admin. The error is a *CSVError naming the cell.
func Check(rows []Row, from, to Template) error {
	for _, r := range rows {
		if r.SourcePasswordCmd == "" && from.Admin == AdminNone {
			return &CSVError{Line: r.Line, Name: ColSourcePassword, Problem: ProblemNoCredentials}
		}
		if r.DestPasswordCmd == "" && to.Admin == AdminNone {
			return &CSVError{Line: r.Line, Name: ColDestPassword, Problem: ProblemNoCredentials}
		}
	}
	return nil
}

// runner is one Run: the state, guarded by mu.
type runner struct {
	cfg Config
	mu  sync.Mutex
	st  *State
}

// Run migrates the rows that are not done: queued, failed, left running
// by a crash (and given-up ones with RetryGivenUp), Parallel at a time.
// Succeeded rows are not touched again. State is saved after every change
// of status, so a stop (ctx) or a crash loses at most the in-flight
// counts; a stopped row goes back to queued and its journal makes the next
// run continue it.
//
// One process at a time runs a batch (a lock file in Dir; a *BusyError
// otherwise).
//
// It returns the final table in CSV order. The error is ctx's when
// stopped, or the state file's; a row's failure is in its RowState.
func Run(ctx context.Context, rows []Row, cfg Config) ([]RowState, error) {
	if cfg.Dir == "" {
		return nil, errors.New("batch: no state directory")
	}
	if err := Check(rows, cfg.From, cfg.To); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("batch: %w", err)
	}
	unlock, err := lock(cfg.Dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	st, err := LoadState(cfg.Dir)
	if err != nil {
		return nil, err
	}
	r := &runner{cfg: cfg, st: st}
	var todo []Row
	for _, row := range rows {
		rs := st.Rows[row.Key()]
		if rs == nil {
			rs = &RowState{Key: row.Key(), Source: row.Source, Dest: row.Dest, Status: StatusQueued}
			st.Rows[row.Key()] = rs
		}
		switch rs.Status {
		case StatusSucceeded:
			continue
		case StatusGivenUp:
			if !cfg.RetryGivenUp {
				continue
			}
			rs.Failures = 0
		}
		rs.Status = StatusQueued // running: left by a crash
		todo = append(todo, row)
	}
	if err := st.save(cfg.Dir); err != nil {
		return nil, err
	}
	par := cfg.Parallel
	if par <= 0 {
		par = 2
	}
	work := make(chan Row)
	var wg sync.WaitGroup
	var saveErr error
	var errOnce sync.Once
	for range min(par, max(len(todo), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for row := range work {
				if err := r.row(ctx, row); err != nil {
					errOnce.Do(func() { saveErr = err })
				}
			}
		}()
	}
feed:
	for _, row := range todo {
		select {
		case work <- row:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	table, _ := st.Table(rows)
	if saveErr != nil {
		return table, saveErr
	}
	return table, ctx.Err()
}

// update changes row key's state under the lock, reports it, and saves
// when persist is set.
func (r *runner) update(key string, persist bool, fn func(*RowState)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	rs := r.st.Rows[key]
	fn(rs)
	if r.cfg.Options.Now != nil {
		rs.Updated = r.cfg.Options.Now()
	} else {
		rs.Updated = time.Now()
	}
	if r.cfg.OnChange != nil {
		r.cfg.OnChange(*rs)
	}
	if persist {
		return r.st.save(r.cfg.Dir)
	}
	return nil
}

// RowDir is where a row's journal and report are kept: one directory per
// row, because with an authorization identity every row logs in as the
// same admin and the engine names journals by login.
func RowDir(dir string, row Row) string {
	sum := sha256.Sum256([]byte(row.Key()))
	return filepath.Join(dir, "rows", hex.EncodeToString(sum[:8]))
}

// row migrates one row and records the outcome.
func (r *runner) row(ctx context.Context, row Row) error {
	if ctx.Err() != nil {
		return nil
	}
	key := row.Key()
	if err := r.update(key, true, func(rs *RowState) {
		rs.Status, rs.Attempts = StatusRunning, rs.Attempts+1
		rs.Err, rs.Problem, rs.Detail = ErrNone, "", ""
		rs.Done, rs.Copied, rs.Already, rs.Previously, rs.Failed = 0, 0, 0, 0, 0
	}); err != nil {
		return err
	}
	src := migrate.Side{Account: r.cfg.From.account(row.Source, row.SourcePasswordCmd), Dialer: r.cfg.Dialer}
	dst := migrate.Side{Account: r.cfg.To.account(row.Dest, row.DestPasswordCmd), Dialer: r.cfg.Dialer}
	opts := r.cfg.Options
	opts.JournalDir = RowDir(r.cfg.Dir, row)
	opts.Gate = r.cfg.Gate
	rep, err := r.migrate(ctx, key, src, dst, opts)
	return r.update(key, true, func(rs *RowState) {
		if rep != nil {
			t := rep.Totals()
			rs.Total, rs.Copied, rs.Already, rs.Previously, rs.Failed = t.SourceCount, t.Copied, t.Already, t.Previously, t.Failed
			rs.Done = t.Copied + t.Already + t.Previously + t.Failed
			rs.Report = migrate.ReportPath(opts.JournalDir, src, dst)
		}
		switch {
		case ctx.Err() != nil:
			rs.Status = StatusQueued // stopped: the journal continues it next time
		case err != nil || !rep.Verified():
			rs.Err, rs.Problem, rs.Detail = classify(err)
			rs.Failures++
			rs.Status = StatusFailed
			if rs.Failures >= r.maxAttempts() {
				rs.Status = StatusGivenUp
			}
		default:
			rs.Status, rs.Failures = StatusSucceeded, 0
		}
	})
}

func (r *runner) maxAttempts() int {
	if r.cfg.MaxAttempts <= 0 {
		return 3
	}
	return r.cfg.MaxAttempts
}

// migrate plans and runs one row, reporting progress; rep is nil when the
// plan failed.
func (r *runner) migrate(ctx context.Context, key string, src, dst migrate.Side, opts migrate.Options) (*migrate.Report, error) {
	plan, err := migrate.NewPlan(ctx, src, dst, opts)
	if err != nil {
		return nil, err
	}
	_ = r.update(key, false, func(rs *RowState) { rs.Total, rs.Bytes = plan.TotalCount, plan.TotalSize })
	progress := make(chan migrate.Progress, 16)
	opts.Progress = progress
	var rep migrate.Report
	done := make(chan struct{})
	go func() {
		defer close(done)
		rep, err = migrate.Run(ctx, plan, opts)
		close(progress)
	}()
	folders := map[string]migrate.Progress{}
	for pr := range progress {
		if pr.Phase == migrate.PhaseCopied {
			continue // the run's totals, which the folders' already sum to
		}
		folders[pr.Folder] = pr
		var t migrate.Progress
		for _, f := range folders {
			t.Done += f.Done
			t.Copied += f.Copied
			t.Already += f.Already
			t.Failed += f.Failed
		}
		_ = r.update(key, false, func(rs *RowState) {
			rs.Done, rs.Copied, rs.Already, rs.Failed = t.Done, t.Copied, t.Already, t.Failed
		})
	}
	<-done
	return &rep, err
}

// classify names a row's failure for package ui.
func classify(err error) (ErrKind, string, string) {
	if err == nil {
		return ErrNotVerified, "", ""
	}
	var ce *migrate.ConnError
	if errors.As(err, &ce) {
		kind := ErrSource
		if ce.Side == migrate.SideDest {
			kind = ErrDest
		}
		return kind, string(account.Diagnose(ce.Err).Problem), ce.Err.Error()
	}
	return ErrOther, "", err.Error()
}
