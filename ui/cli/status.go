package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

func newStatusCmd(s *Session) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "status [ACCOUNT]",
		Short: s.P.T("cli.status.short"),
		Long:  s.P.T("cli.status.long"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usage("want at most one account, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.status(cmd.Context(), args, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, s.P.T("cli.flag.json"))
	return cmd
}

// statusJSON is one row of `magpie status --json`: one folder of one
// account. An account with nothing synced yet is one row with folder and
// last_sync null.
type statusJSON struct {
	Account  string  `json:"account"`
	Folder   *string `json:"folder"`
	Role     string  `json:"role"`
	Messages int     `json:"messages"`
	Unseen   int     `json:"unseen"`
	// Held and Bodies are what the local store holds: messages, and of
	// those the ones readable offline.
	Held   int `json:"held"`
	Bodies int `json:"bodies"`
	// Unindexed of those bodies are not in the search index yet (the
	// index is fed behind the downloads).
	Unindexed int     `json:"unindexed"`
	LastSync  *string `json:"last_sync"`
	// Outbox is set on the rows of mail not sent yet (role "outbox",
	// folder null), one per message.
	Outbox *outboxJSON `json:"outbox,omitempty"`
}

type accountStatus struct {
	acct      account.Account
	folders   []store.Folder
	unread    map[store.FolderID]int
	held      map[store.FolderID]store.LocalCounts
	conflicts int // offline changes the server refused for good
	outbox    []store.Outgoing
}

// status reads the store only; it never connects.
func (s *Session) status(ctx context.Context, names []string, asJSON bool) error {
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	accts := cfg.Accounts
	if len(names) > 0 {
		a, ok := cfg.Account(names[0])
		if !ok {
			return s.fail(account.ErrNotFound, p.T("account.not_found", names[0]))
		}
		accts = []account.Account{a}
	}
	st, err := s.openExistingStore(ctx)
	if err != nil {
		return err
	}
	if st != nil {
		defer st.Close()
	}
	list := make([]accountStatus, 0, len(accts))
	for _, a := range accts {
		as := accountStatus{acct: a}
		if st != nil {
			id, err := st.Account(ctx, a.Name)
			if err == nil {
				as.folders, err = st.Folders(ctx, id)
			}
			// INBOX first, the rest as the store lists them (parents first).
			slices.SortStableFunc(as.folders, func(a, b store.Folder) int {
				return boolRank(a.Role != "inbox") - boolRank(b.Role != "inbox")
			})
			if err == nil {
				as.unread, err = st.UnreadCounts(ctx, id)
			}
			if err == nil {
				as.held, err = st.Counts(ctx, id)
			}
			if err == nil {
				var ops []store.Op
				ops, err = st.Ops(ctx, id, store.OpConflict)
				as.conflicts = len(ops)
			}
			if err == nil {
				as.outbox, err = st.Outbox(ctx, id)
			}
			if err != nil {
				return s.fail(err, p.T("store.read_failed", message.SanitizeLine(err.Error())))
			}
		}
		list = append(list, as)
	}
	if asJSON {
		return s.printStatusJSON(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(s.Stdout, p.T("account.list.empty"))
		return nil
	}
	s.printStatus(list)
	return nil
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// synced reports whether the account has anything in the store.
func (as accountStatus) synced() bool { return len(as.folders) > 0 }

// unseen is the local unread count (it includes what was read offline and
// not yet sent), falling back to the server's figure.
func (as accountStatus) unseen(f store.Folder) int {
	if n, ok := as.unread[f.ID]; ok {
		return n
	}
	return f.Unseen
}

func (s *Session) printStatusJSON(list []accountStatus) error {
	out := []statusJSON{}
	for _, as := range list {
		if !as.synced() {
			out = append(out, statusJSON{Account: as.acct.Name})
		}
		for _, f := range as.folders {
			row := statusJSON{Account: as.acct.Name, Folder: &f.Name, Role: string(f.Role),
				Messages: f.Total, Unseen: as.unseen(f), Held: as.held[f.ID].Messages, Bodies: as.held[f.ID].Bodies,
				Unindexed: as.held[f.ID].Unindexed}
			if !f.LastSync.IsZero() {
				t := f.LastSync.Format("2006-01-02T15:04:05Z07:00")
				row.LastSync = &t
			}
			out = append(out, row)
		}
		for _, o := range as.outbox {
			out = append(out, statusJSON{Account: as.acct.Name, Role: "outbox", Outbox: s.outboxRow(o)})
		}
	}
	enc := json.NewEncoder(s.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func (s *Session) printStatus(list []accountStatus) {
	p := s.P
	rows := [][]string{{p.T("status.col.account"), p.T("account.col.folder"), p.T("account.col.role"),
		p.T("account.col.messages"), p.T("account.col.unseen"), p.T("status.col.offline"), p.T("status.col.last_sync")}}
	var never []string
	for _, as := range list {
		if !as.synced() {
			never = append(never, as.acct.Name)
			continue
		}
		for i, f := range as.folders {
			name := ""
			if i == 0 {
				name = as.acct.Name
			}
			role := ""
			if f.Role != "" {
				role = p.T("role." + string(f.Role))
			}
			last := p.T("status.never")
			if !f.LastSync.IsZero() {
				last = f.LastSync.Local().Format("2006-01-02 15:04")
			}
			rows = append(rows, []string{name, message.SanitizeLine(f.Name), role,
				fmt.Sprint(f.Total), fmt.Sprint(as.unseen(f)), fmt.Sprint(as.held[f.ID].Bodies), last})
		}
	}
	if len(rows) > 1 {
		writeTable(s.Stdout, rows)
	}
	for _, n := range never {
		fmt.Fprintln(s.Stdout, p.T("status.never_synced", n))
	}
	for _, as := range list {
		lag := 0
		for _, c := range as.held {
			lag += c.Unindexed
		}
		if lag > 0 {
			fmt.Fprintln(s.Stdout, p.T("status.index_lag", as.acct.Name, lag))
		}
		if as.conflicts > 0 {
			fmt.Fprintln(s.Stdout, p.T("status.conflicts", as.acct.Name, as.conflicts))
		}
	}
	s.printOutboxStatus(list)
}
