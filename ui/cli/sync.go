package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/mailsync"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

type syncFlags struct {
	once   bool
	bodies string
	daemon bool
}

func newSyncCmd(s *Session) *cobra.Command {
	var f syncFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "sync [ACCOUNT…]",
		Short:   p.T("cli.sync.short"),
		Long:    p.T("cli.sync.long"),
		Example: p.T("cli.sync.example"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.sync(cmd.Context(), args, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.once, "once", false, p.T("cli.flag.once"))
	fl.StringVar(&f.bodies, "bodies", "", p.T("cli.flag.bodies"))
	fl.BoolVar(&f.daemon, "daemon", false, p.T("cli.flag.daemon"))
	return cmd
}

// pickAccounts returns the named accounts, or all when none is named.
func (s *Session) pickAccounts(cfg *account.Config, names []string) ([]account.Account, error) {
	p := s.P
	if len(names) == 0 {
		if len(cfg.Accounts) == 0 {
			return nil, s.fail(account.ErrNotFound, p.T("sync.no_accounts"))
		}
		return cfg.Accounts, nil
	}
	var out []account.Account
	seen := map[string]bool{}
	for _, n := range names {
		a, ok := cfg.Account(n)
		if !ok {
			return nil, s.fail(account.ErrNotFound, p.T("account.not_found", n))
		}
		if !seen[a.Name] {
			seen[a.Name] = true
			out = append(out, a)
		}
	}
	return out, nil
}

// openStore opens (creating when missing) the mail store, explaining a failure.
func (s *Session) openStore(ctx context.Context) (*store.Store, error) {
	path := s.Paths.StoreFile()
	if s.Paths.DataDir == "" {
		return nil, s.fail(account.ErrNoHome, s.P.T("cli.no_home"))
	}
	st, err := store.Open(ctx, path)
	if err != nil {
		var ve *store.VersionError
		if errors.As(err, &ve) {
			return nil, s.fail(err, s.P.T("store.too_new", path))
		}
		return nil, s.fail(err, s.P.T("store.open_failed", path, message.SanitizeLine(err.Error())))
	}
	return st, nil
}

// openExistingStore opens the store only when it exists; (nil, nil) means
// nothing was ever synced.
func (s *Session) openExistingStore(ctx context.Context) (*store.Store, error) {
	if s.Paths.DataDir == "" {
		return nil, s.fail(account.ErrNoHome, s.P.T("cli.no_home"))
	}
	if _, err := os.Stat(s.Paths.StoreFile()); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return s.openStore(ctx)
}

// accountResult is how one account's sync ended.
type accountResult struct {
	acct    account.Account
	summary mailsync.Summary // --once only
	err     error            // the pass or Run failed as a whole
}

// sync runs one engine per account, in parallel, printing their events.
func (s *Session) sync(ctx context.Context, names []string, f syncFlags) error {
	p := s.P
	var override *account.BodyPolicy
	if f.bodies != "" {
		policy, err := account.ParseBodyPolicy(f.bodies)
		if err != nil {
			return usage("--bodies %q: want all, none or recent:30d", f.bodies)
		}
		override = &policy
	}
	if f.daemon && f.once {
		return usage("--daemon and --once exclude each other")
	}
	if f.daemon {
		s.StdoutIsTerminal = false // headless: one line per event, no progress line
	}
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	accts, err := s.pickAccounts(cfg, names)
	if err != nil {
		return err
	}
	st, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	d, closer, err := s.dialer()
	if err != nil {
		return err
	}
	defer closer.Close()

	events := make(chan mailsync.Event, 256)
	pr := newSyncPrinter(s, accts, f.once)
	printed := make(chan struct{})
	var kick chan string
	if !f.once {
		kick = make(chan string, 16)
	}
	if f.once {
		// Due outbox mail leaves first, so that its Sent copy is uploaded
		// by the pass below.
		s.flushOutboxOnce(ctx, st, d, accts)
	}
	go func() {
		defer close(printed)
		for ev := range events {
			if on, ok := ev.(mailsync.Online); ok && on.Online && kick != nil {
				select { // back online: the outbox flushes
				case kick <- on.Account:
				default:
				}
			}
			pr.event(ev)
		}
	}()

	results := make([]accountResult, len(accts))
	engines := map[string]*mailsync.Engine{}
	var wg sync.WaitGroup
	for i, a := range accts {
		results[i].acct = a
		policy := a.Bodies
		if override != nil {
			policy = *override
		}
		opts := mailsync.Options{Bodies: policy, Events: events}
		var e *mailsync.Engine
		var run func(context.Context) error
		if f.once {
			e = mailsync.New(a, d, st, opts)
		} else {
			e, run = newRulesEngine(ctx, a, d, st, opts, &wg) // client-side rules on new mail
		}
		engines[a.Name] = e
		wg.Go(func() {
			if f.once {
				results[i].summary, results[i].err = e.SyncOnce(ctx)
				if results[i].err == nil {
					results[i].err = results[i].summary.Err
				}
				return
			}
			results[i].err = run(ctx)
		})
	}
	if !f.once {
		fmt.Fprintln(s.Stderr, p.T("sync.running"))
	}
	if !f.once { // plain and --daemon: due mail leaves while sync runs
		stopOutbox := s.runOutbox(ctx, st, d, accts, kick, engines)
		defer stopOutbox()
	}
	wg.Wait()
	close(events)
	<-printed
	pr.clearProgress()
	return s.syncReport(ctx, pr, results, f.once)
}

// syncReport prints the summary and picks the exit status.
func (s *Session) syncReport(ctx context.Context, pr *syncPrinter, results []accountResult, once bool) error {
	p := s.P
	failed := false
	for _, r := range results {
		name := r.acct.Name
		userStop := errors.Is(r.err, context.Canceled) && ctx.Err() != nil
		switch {
		case r.err == nil:
		case userStop && !once: // Ctrl-C is how Run ends
		case userStop:
			failed = true
			fmt.Fprintln(s.Stderr, p.T("sync.interrupted", name))
			continue
		default:
			failed = true
			fmt.Fprintln(s.Stderr, p.T("sync.account_failed", name))
			fmt.Fprintln(s.Stderr, explainSyncError(p, r.acct, r.err))
			continue
		}
		t := pr.tally[name]
		if once {
			t = tallyOf(r.summary.Folders)
			for _, fs := range r.summary.Folders {
				if fs.Err != nil {
					failed = true
					if !pr.shown[name+"\x00"+fs.Folder] {
						fmt.Fprintln(s.Stderr, p.T("sync.folder_failed", name, message.SanitizeLine(fs.Folder)))
						fmt.Fprintln(s.Stderr, explainSyncError(p, r.acct, fs.Err))
					}
				}
			}
		}
		fmt.Fprintln(s.Stdout, p.T("sync.summary", name, t.folders, t.New, t.Updated, t.Expunged, t.Bodies))
		if t.failed > 0 {
			fmt.Fprintln(s.Stdout, p.T("sync.summary_failed", name, t.failed))
		}
	}
	if failed {
		return failure{errors.New("sync failed")}
	}
	return nil
}

// explainSyncError words a sync failure: a connection problem with the
// diagnosis and its fix, anything else with its (sanitised) detail.
func explainSyncError(p *i18n.Printer, a account.Account, err error) string {
	d := account.Diagnose(err)
	var ce *account.ConnError
	if d.Problem != account.ProblemUnknown || errors.As(err, &ce) {
		if d.Endpoint.IsZero() {
			d.Endpoint = a.IMAP
		}
		return explainDiagnosis(p, a, d)
	}
	switch {
	case errors.Is(err, store.ErrCorrupt):
		return "  " + p.T("sync.err_corrupt")
	case strings.HasPrefix(err.Error(), "store:"):
		return "  " + p.T("sync.err_store", message.SanitizeLine(err.Error()))
	}
	return "  " + p.T("sync.err_other", message.SanitizeLine(err.Error()))
}

// tally adds up folder summaries; a folder synced twice (Run) counts once
// in folders.
type tally struct {
	mailsync.FolderSummary
	folders, failed int
	names           map[string]bool
}

func (t *tally) add(fs mailsync.FolderSummary) {
	if t.names == nil {
		t.names = map[string]bool{}
	}
	if !t.names[fs.Folder] {
		t.names[fs.Folder] = true
		t.folders++
	}
	if fs.Err != nil {
		t.failed++
		return
	}
	t.New += fs.New
	t.Updated += fs.Updated
	t.Expunged += fs.Expunged
	t.Bodies += fs.Bodies
}

func tallyOf(list []mailsync.FolderSummary) tally {
	var t tally
	for _, fs := range list {
		t.add(fs)
	}
	return t
}
