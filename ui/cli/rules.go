package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/store"
)

func newRulesCmd(s *Session) *cobra.Command {
	p := s.P
	cmd := &cobra.Command{
		Use:     "rules",
		Short:   p.T("cli.rules.short"),
		Long:    p.T("cli.rules.long"),
		Example: p.T("cli.rules.example"),
		Args:    noArgs,
	}
	cmd.AddCommand(newRulesListCmd(s), newRulesAddCmd(s), newRulesRemoveCmd(s), newRulesSwitchCmd(s, false),
		newRulesSwitchCmd(s, true), newRulesApplyCmd(s), newRulesExportCmd(s))
	return cmd
}

func newRulesListCmd(s *Session) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list ACCOUNT",
		Short: s.P.T("cli.rules.list.short"),
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := s.openRules(cmd.Context(), args[0], false)
			if err != nil {
				return err
			}
			defer h.close()
			return s.rulesList(cmd.Context(), h, asJSON)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, s.P.T("cli.flag.json"))
	return cmd
}

type ruleAddFlags struct {
	name          string
	any, disabled bool
	conds, acts   []string
	force         bool
}

func newRulesAddCmd(s *Session) *cobra.Command {
	var f ruleAddFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "add ACCOUNT --name NAME --if COND… --then ACTION…",
		Short:   p.T("cli.rules.add.short"),
		Long:    p.T("cli.rules.add.long"),
		Example: p.T("cli.rules.add.example"),
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := rules.Rule{Name: f.name, Any: f.any, Disabled: f.disabled}
			for _, c := range f.conds {
				cond, err := rules.ParseCondition(c)
				if err != nil {
					return usage("--if %s: %v", c, err)
				}
				r.Conditions = append(r.Conditions, cond)
			}
			for _, a := range f.acts {
				act, err := rules.ParseAction(a)
				if err != nil {
					return usage("--then %s: %v", a, err)
				}
				r.Actions = append(r.Actions, act)
			}
			return s.editRules(cmd.Context(), args[0], f.force, func(set rules.Set) (rules.Set, error) { return set.Add(r) })
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.name, "name", "", p.T("cli.flag.rule_name"))
	fl.BoolVar(&f.any, "any", false, p.T("cli.flag.rule_any"))
	fl.BoolVar(&f.disabled, "disabled", false, p.T("cli.flag.rule_disabled"))
	fl.StringArrayVar(&f.conds, "if", nil, p.T("cli.flag.rule_if"))
	fl.StringArrayVar(&f.acts, "then", nil, p.T("cli.flag.rule_then"))
	fl.BoolVar(&f.force, "force", false, p.T("cli.flag.rule_force"))
	_ = cmd.MarkFlagRequired("name")
	_ = cmd.MarkFlagRequired("if")
	_ = cmd.MarkFlagRequired("then")
	return cmd
}

func newRulesRemoveCmd(s *Session) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "remove ACCOUNT NAME",
		Short: s.P.T("cli.rules.remove.short"),
		Args:  exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.editRules(cmd.Context(), args[0], force, func(set rules.Set) (rules.Set, error) { return set.Remove(args[1]) })
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, s.P.T("cli.flag.rule_force"))
	return cmd
}

// newRulesSwitchCmd is `rules enable` (or `rules disable` when off).
func newRulesSwitchCmd(s *Session, off bool) *cobra.Command {
	var force bool
	use, short := "enable ACCOUNT NAME", s.P.T("cli.rules.enable.short")
	if off {
		use, short = "disable ACCOUNT NAME", s.P.T("cli.rules.disable.short")
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.editRules(cmd.Context(), args[0], force, func(set rules.Set) (rules.Set, error) { return set.SetDisabled(args[1], off) })
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, s.P.T("cli.flag.rule_force"))
	return cmd
}

// editRules loads the account's rules, changes them with edit and saves
// them where they live.
func (s *Session) editRules(ctx context.Context, name string, force bool, edit func(rules.Set) (rules.Set, error)) error {
	h, err := s.openRules(ctx, name, false)
	if err != nil {
		return err
	}
	defer h.close()
	set, err := h.load(ctx, s, force)
	if err != nil {
		return err
	}
	set, err = edit(set)
	if err != nil {
		return s.fail(err, explainRuleError(s.P, err))
	}
	if err := h.save(ctx, s, set, force); err != nil {
		return err
	}
	fmt.Fprintln(s.Stdout, s.P.T("rules.saved", len(set.Rules)))
	return nil
}

func newRulesApplyCmd(s *Session) *cobra.Command {
	var folder string
	cmd := &cobra.Command{
		Use:   "apply ACCOUNT [--folder F]",
		Short: s.P.T("cli.rules.apply.short"),
		Long:  s.P.T("cli.rules.apply.long"),
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.rulesApply(cmd.Context(), args[0], folder)
		},
	}
	cmd.Flags().StringVar(&folder, "folder", "", s.P.T("cli.flag.rule_folder"))
	return cmd
}

func (s *Session) rulesApply(ctx context.Context, name, folderName string) error {
	p := s.P
	h, err := s.openRules(ctx, name, true)
	if err != nil {
		return err
	}
	defer h.close()
	set, err := h.load(ctx, s, false)
	if err != nil {
		return err
	}
	if h.st == nil {
		return s.fail(store.ErrNotFound, p.T("rules.apply.no_store", name))
	}
	folders, err := h.st.Folders(ctx, h.ID)
	if err != nil {
		return s.fail(err, p.T("store.read_failed", message.SanitizeLine(err.Error())))
	}
	f, ok := pickFolder(folders, folderName)
	if !ok {
		if folderName == "" {
			folderName = "INBOX"
		}
		return s.fail(store.ErrNotFound, p.T("rules.apply.no_folder", folderName, name))
	}
	res, err := rules.ApplyFolder(ctx, h.st, f, set)
	if err != nil {
		return s.fail(err, p.T("rules.failed", message.SanitizeLine(err.Error())))
	}
	fmt.Fprintln(s.Stdout, p.T("rules.apply.done", message.SanitizeLine(f.Name), res.Examined, res.Matched, res.Moved, res.Copied, res.Flagged))
	if len(res.Missing) > 0 {
		fmt.Fprintln(s.Stdout, p.T("rules.apply.missing", message.SanitizeLine(strings.Join(res.Missing, ", "))))
	}
	if res.Forwards > 0 {
		fmt.Fprintln(s.Stdout, p.T("rules.apply.forwards", res.Forwards))
	}
	if res.Moved+res.Copied+res.Flagged > 0 {
		fmt.Fprintln(s.Stdout, p.T("rules.apply.next", name))
	}
	return nil
}

// pickFolder finds a folder by decoded name, server name or role; "" is
// the inbox.
func pickFolder(folders []store.Folder, name string) (store.Folder, bool) {
	for _, f := range folders {
		if (name == "" && f.Role == "inbox") || (name != "" && (f.Name == name || f.RawName == name ||
			strings.EqualFold(string(f.Role), name) || (strings.EqualFold(name, "INBOX") && strings.EqualFold(f.RawName, "INBOX")))) {
			return f, true
		}
	}
	return store.Folder{}, false
}

func newRulesExportCmd(s *Session) *cobra.Command {
	return &cobra.Command{
		Use:   "export ACCOUNT",
		Short: s.P.T("cli.rules.export.short"),
		Long:  s.P.T("cli.rules.export.long"),
		Args:  exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			h, err := s.openRules(ctx, args[0], false)
			if err != nil {
				return err
			}
			defer h.close()
			if h.Sieve != nil && h.State.Exists {
				fmt.Fprint(s.Stdout, h.State.Script.Text) // what the server holds, as it holds it
				return nil
			}
			set, err := h.load(ctx, s, false)
			if err != nil {
				return err
			}
			text, err := rules.Compile(set, h.Options)
			if err != nil {
				return s.fail(err, explainRuleError(s.P, err))
			}
			fmt.Fprint(s.Stdout, text)
			return nil
		},
	}
}

func (s *Session) println(line string) { fmt.Fprintln(s.Stdout, line) }

// printWhere says where the account's rules run.
func (s *Session) printWhere(h *ruleHome) {
	p := s.P
	switch {
	case h.Sieve != nil:
		s.println(p.T("rules.where.server", h.Account.Name, h.Server))
	case h.Guessed != "":
		s.println(p.T("rules.where.local_guessed", h.Account.Name, h.Guessed))
	default:
		s.println(p.T("rules.where.local", h.Account.Name))
	}
}
