package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
)

func newAccountCmd(s *Session) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "account",
		Short: s.P.T("cli.account.short"),
		Args:  noArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newAccountAddCmd(s), newAccountListCmd(s), newAccountRemoveCmd(s), newAccountTestCmd(s))
	return cmd
}

func newAccountListCmd(s *Session) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: s.P.T("cli.account.list.short"),
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := s.loadConfig()
			if err != nil {
				return err
			}
			if asJSON {
				return s.printAccountsJSON(cfg.Accounts)
			}
			if len(cfg.Accounts) == 0 {
				fmt.Fprintln(s.Stdout, s.P.T("account.list.empty"))
				return nil
			}
			s.printAccounts(cfg.Accounts)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, s.P.T("cli.flag.json"))
	return cmd
}

type accountJSON struct {
	Name       string   `json:"name"`
	Email      string   `json:"email"`
	Kind       string   `json:"kind"`
	Provider   string   `json:"provider,omitempty"`
	IMAP       string   `json:"imap,omitempty"`
	SMTP       string   `json:"smtp,omitempty"`
	POP3       string   `json:"pop3,omitempty"`
	Password   string   `json:"password"` // "keyring" or "command": where it comes from, never what it is
	Identities []string `json:"identities"`
}

func endpointText(e account.Endpoint) string {
	if e.IsZero() {
		return ""
	}
	return e.Addr() + " " + string(e.Security)
}

func (s *Session) printAccountsJSON(accts []account.Account) error {
	out := make([]accountJSON, 0, len(accts))
	for _, a := range accts {
		j := accountJSON{Name: a.Name, Email: a.Email, Kind: string(a.Kind), Provider: a.Provider,
			IMAP: endpointText(a.IMAP), SMTP: endpointText(a.SMTP), POP3: endpointText(a.POP3), Password: "keyring"}
		if a.PasswordCmd != "" {
			j.Password = "command"
		}
		for _, id := range a.Identities() {
			j.Identities = append(j.Identities, string(id.Kind)+":"+id.Address)
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(s.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func (s *Session) printAccounts(accts []account.Account) {
	p := s.P
	rows := [][]string{{p.T("account.col.name"), p.T("account.col.email"), p.T("account.col.kind"),
		p.T("account.col.imap"), p.T("account.col.smtp"), p.T("account.col.password")}}
	for _, a := range accts {
		pw := p.T("account.password.keyring")
		if a.PasswordCmd != "" {
			pw = p.T("account.password.command")
		}
		rows = append(rows, []string{a.Name, a.Email, p.T("account.kind." + string(a.Kind)),
			endpointText(a.IMAP), endpointText(a.SMTP), pw})
		for _, id := range append(append([]account.Identity{}, a.Aliases...), a.Groups...) {
			label := p.T("account.identity."+string(id.Kind), id.Address)
			if id.Name != "" {
				label += " (" + message.SanitizeLine(id.Name) + ")"
			}
			rows = append(rows, []string{"", "  " + label, "", "", "", ""})
		}
	}
	writeTable(s.Stdout, rows)
}

func newAccountRemoveCmd(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "remove NAME",
		Short: s.P.T("cli.account.remove.short"),
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := s.P
			cfg, a, err := s.findAccount(args[0])
			if err != nil {
				return err
			}
			// The secret goes first: a config entry left behind can be
			// removed again; an orphaned secret would be invisible.
			if a.PasswordCmd == "" {
				if err := s.Secrets.Delete(cmd.Context(), account.SecretKey(a.Name, "")); err != nil {
					return s.fail(err, p.T("account.remove.secret_failed", a.Name, err))
				}
			}
			if err := cfg.RemoveAccount(a.Name); err != nil {
				return s.fail(err, explainConfigError(p, err))
			}
			fmt.Fprintln(s.Stdout, p.T("account.removed", a.Name))
			return nil
		},
	}
}

func newAccountTestCmd(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "test NAME",
		Short: s.P.T("cli.account.test.short"),
		Long:  s.P.T("cli.account.test.long"),
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p := s.P
			_, a, err := s.findAccount(args[0])
			if err != nil {
				return err
			}
			d, closer, err := s.dialer()
			if err != nil {
				return err
			}
			defer closer.Close()
			fmt.Fprintln(s.Stdout, p.T("account.test.connecting", a.Name, a.IMAP.Addr()))
			r := d.Probe(cmd.Context(), a)
			s.printProbe(a, r)
			if !r.OK() {
				return failure{errors.New("account test failed")}
			}
			return nil
		},
	}
}

func (s *Session) printProbe(a account.Account, r account.ProbeReport) {
	p, out := s.P, s.Stdout
	if r.IMAPErr != nil {
		fmt.Fprintln(out, p.T("account.test.imap_failed"))
		fmt.Fprintln(out, explainDiagnosis(p, a, account.Diagnose(r.IMAPErr)))
	} else {
		fmt.Fprintln(out, p.T("account.test.imap_ok", a.LoginName()))
		if r.ServerID != nil && (r.ServerID.Name != "" || r.ServerID.Vendor != "") {
			fmt.Fprintln(out, p.T("account.test.server_id", message.SanitizeLine(strings.TrimSpace(r.ServerID.Name+" "+r.ServerID.Version+" "+r.ServerID.Vendor))))
		}
		fmt.Fprintln(out, p.T("account.test.capabilities", message.SanitizeLine(strings.Join(r.Capabilities, " "))))
		if r.FoldersErr != nil {
			fmt.Fprintln(out, p.T("account.test.list_failed"))
			fmt.Fprintln(out, explainDiagnosis(p, a, account.Diagnose(r.FoldersErr)))
		} else {
			s.printFolders(a, r.Folders)
		}
	}
	switch {
	case r.SMTPSkipped:
		fmt.Fprintln(out, p.T("account.test.smtp_none"))
	case r.SMTPErr != nil:
		fmt.Fprintln(out, p.T("account.test.smtp_failed"))
		fmt.Fprintln(out, explainDiagnosis(p, a, account.Diagnose(r.SMTPErr)))
	default:
		fmt.Fprintln(out, p.T("account.test.smtp_ok", a.SMTP.Addr()))
	}
	if r.OK() {
		fmt.Fprintln(out, p.T("account.test.all_ok", a.Name))
	}
}

func (s *Session) printFolders(a account.Account, folders []account.FolderInfo) {
	p := s.P
	rows := [][]string{{p.T("account.col.folder"), p.T("account.col.role"), p.T("account.col.messages"), p.T("account.col.unseen")}}
	var failed []account.FolderInfo
	for _, f := range folders {
		role := ""
		if f.Role != account.RoleNone {
			role = p.T("role." + string(f.Role))
		}
		count, unseen := fmt.Sprint(f.Messages), fmt.Sprint(f.Unseen)
		switch {
		case f.NoSelect:
			count, unseen = "-", "-"
		case f.Err != nil:
			count, unseen = "?", "?"
			failed = append(failed, f)
		}
		rows = append(rows, []string{"  " + message.SanitizeLine(f.Name), role, count, unseen})
	}
	fmt.Fprintln(s.Stdout, p.T("account.test.folders", len(folders)))
	writeTable(s.Stdout, rows)
	for _, f := range failed {
		fmt.Fprintln(s.Stdout, p.T("account.test.folder_failed", message.SanitizeLine(f.Name)))
		fmt.Fprintln(s.Stdout, explainDiagnosis(p, a, account.Diagnose(f.Err)))
	}
}

// findAccount loads the config and the named account, explaining either
// failure to the user.
func (s *Session) findAccount(name string) (*account.Config, account.Account, error) {
	cfg, err := s.loadConfig()
	if err != nil {
		return nil, account.Account{}, err
	}
	a, ok := cfg.Account(name)
	if !ok {
		return nil, account.Account{}, s.fail(account.ErrNotFound, s.P.T("account.not_found", name))
	}
	return cfg, a, nil
}
