package cli

import (
	"cmp"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/rules"
)

// rulesJSON is `magpie rules list --json`.
type rulesJSON struct {
	Account string    `json:"account"`
	Where   string    `json:"where"`            // "server" or "local"
	Server  string    `json:"server,omitempty"` // host:port of ManageSieve
	Rules   rules.Set `json:"set"`
	// Others are scripts on the server Magpie did not write (read-only).
	Others []rules.Foreign `json:"other_scripts,omitempty"`
}

func (s *Session) rulesList(ctx context.Context, h *ruleHome, asJSON bool) error {
	p := s.P
	set, err := h.load(ctx, s, false)
	edited := errors.Is(err, rules.ErrEdited)
	if err != nil && !edited {
		return err
	}
	if asJSON {
		out := rulesJSON{Account: h.Account.Name, Where: "local", Rules: set, Others: h.State.Others}
		if h.Sieve != nil {
			out.Where, out.Server = "server", h.Server
		}
		return s.printJSON(out)
	}
	s.printWhere(h)
	if edited {
		// load has said why; show the script as it is, read-only.
		s.printScript(rules.ScriptName, h.State.Script.Text)
		return err
	}
	if len(set.Rules) == 0 {
		s.println(p.T("rules.list.empty"))
	}
	for i, r := range set.Rules {
		var conds, acts []string
		for _, c := range r.Conditions {
			conds = append(conds, c.String())
		}
		for _, a := range r.Actions {
			acts = append(acts, a.String())
		}
		state := ""
		if r.Disabled {
			state = p.T("rules.list.disabled")
		}
		join := "rules.list.all"
		if r.Any {
			join = "rules.list.any"
		}
		s.println(p.T("rules.list.rule", i+1, message.SanitizeLine(r.Name), state))
		s.println(p.T(join, message.SanitizeLine(strings.Join(conds, "  "))))
		s.println(p.T("rules.list.then", message.SanitizeLine(strings.Join(acts, "  "))))
	}
	if len(set.Block) > 0 {
		s.println(p.T("rules.list.block", message.SanitizeLine(strings.Join(set.Block, ", "))))
	}
	if len(set.Allow) > 0 {
		s.println(p.T("rules.list.allow", message.SanitizeLine(strings.Join(set.Allow, ", "))))
	}
	if v := set.Vacation; v != nil && v.Enabled {
		s.println(p.T("rules.list.vacation", dateOr(v.Start, "…"), dateOr(v.End, "…"), cmp.Or(v.Days, 7), message.SanitizeLine(v.Subject)))
	}
	for _, f := range h.State.Others {
		included := false
		for _, n := range h.State.Included {
			included = included || n == f.Name
		}
		key := "rules.list.other"
		switch {
		case f.Active:
			key = "rules.list.other_active"
		case included:
			key = "rules.list.other_included"
		}
		s.println(p.T(key, message.SanitizeLine(f.Name)))
		s.printScript(f.Name, f.Text)
	}
	return nil
}

func dateOr(t time.Time, def string) string {
	if t.IsZero() {
		return def
	}
	return t.Format("2006-01-02")
}

// printScript shows a script someone else wrote, indented, sanitised.
func (s *Session) printScript(name, text string) {
	for _, l := range strings.Split(strings.TrimRight(message.SanitizeText(text), "\n"), "\n") {
		s.println("    │ " + l)
	}
}

func newSenderListCmd(s *Session, allow bool) *cobra.Command {
	p := s.P
	use, short, long := "block ACCOUNT ADDR|@DOMAIN…", p.T("cli.block.short"), p.T("cli.block.long")
	if allow {
		use, short, long = "allow ACCOUNT ADDR|@DOMAIN…", p.T("cli.allow.short"), p.T("cli.allow.long")
	}
	var force bool
	cmd := &cobra.Command{
		Use: use, Short: short, Long: long,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usage("want an account and at least one address or @domain, got %d argument(s)", len(args))
			}
			for _, a := range args[1:] {
				if !rules.ValidSender(strings.ToLower(a)) {
					return usage("%q is neither an address nor @domain", a)
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return s.editRules(cmd.Context(), args[0], force, func(set rules.Set) (rules.Set, error) {
				var err error
				for _, a := range args[1:] {
					if set, err = set.AddSender(a, allow); err != nil {
						return set, err
					}
				}
				return set, nil
			})
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, p.T("cli.flag.rule_force"))
	return cmd
}

type vacationFlags struct {
	on, off, force    bool
	subject, bodyFile string
	from, until       string
	days              int
}

func newVacationCmd(s *Session) *cobra.Command {
	var f vacationFlags
	p := s.P
	cmd := &cobra.Command{
		Use:     "vacation ACCOUNT --on --subject S --body-file F | --off",
		Short:   p.T("cli.vacation.short"),
		Long:    p.T("cli.vacation.long"),
		Example: p.T("cli.vacation.example"),
		Args:    exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.on == f.off {
				return usage("want exactly one of --on and --off")
			}
			v, err := s.vacationFromFlags(f)
			if err != nil {
				return err
			}
			return s.vacation(cmd.Context(), args[0], v, f.force)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.on, "on", false, p.T("cli.flag.vacation_on"))
	fl.BoolVar(&f.off, "off", false, p.T("cli.flag.vacation_off"))
	fl.StringVar(&f.subject, "subject", "", p.T("cli.flag.vacation_subject"))
	fl.StringVar(&f.bodyFile, "body-file", "", p.T("cli.flag.vacation_body_file"))
	fl.StringVar(&f.from, "from", "", p.T("cli.flag.vacation_from"))
	fl.StringVar(&f.until, "until", "", p.T("cli.flag.vacation_until"))
	fl.IntVar(&f.days, "days", 0, p.T("cli.flag.vacation_days"))
	fl.BoolVar(&f.force, "force", false, p.T("cli.flag.rule_force"))
	return cmd
}

// vacationFromFlags builds the reply (nil for --off).
func (s *Session) vacationFromFlags(f vacationFlags) (*rules.Vacation, error) {
	if f.off {
		return nil, nil
	}
	if f.bodyFile == "" {
		return nil, usage("--on needs --body-file (the reply text; - reads standard input)")
	}
	var body []byte
	var err error
	if f.bodyFile == "-" {
		body, err = io.ReadAll(s.Stdin)
	} else {
		body, err = os.ReadFile(f.bodyFile)
	}
	if err != nil {
		return nil, s.fail(err, s.P.T("rules.vacation.body_unreadable", f.bodyFile, message.SanitizeLine(err.Error())))
	}
	v := &rules.Vacation{Enabled: true, Subject: f.subject, Body: string(body), Days: f.days}
	for _, d := range []struct {
		flag, val string
		to        *time.Time
	}{{"--from", f.from, &v.Start}, {"--until", f.until, &v.End}} {
		if d.val == "" {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02", d.val, time.Local)
		if err != nil {
			return nil, usage("%s %q: want YYYY-MM-DD", d.flag, d.val)
		}
		*d.to = t
	}
	if err := v.Validate(); err != nil {
		return nil, usage("%v", err)
	}
	return v, nil
}

// vacation switches the reply on or off. It needs ManageSieve: an
// auto-reply that only works while this terminal is open would fail the
// people who write.
func (s *Session) vacation(ctx context.Context, name string, v *rules.Vacation, force bool) error {
	p := s.P
	h, err := s.openRules(ctx, name, false)
	if err != nil {
		return err
	}
	defer h.close()
	if h.Sieve == nil {
		page := p.T("rules.vacation.page.default")
		if key := "rules.vacation.page." + h.Account.Provider; h.Account.Provider != "" && p.T(key) != key {
			page = p.T(key)
		}
		return s.fail(errNoSieve, p.T("rules.vacation.no_sieve", name, page))
	}
	set, err := h.load(ctx, s, force)
	if err != nil {
		return err
	}
	if v != nil && len(v.Addresses) == 0 {
		for _, id := range h.Account.Identities() {
			v.Addresses = append(v.Addresses, id.Address)
		}
	}
	set.Vacation = v
	if err := h.save(ctx, s, set, force); err != nil {
		return err
	}
	if v == nil {
		s.println(p.T("rules.vacation.off"))
		return nil
	}
	s.println(p.T("rules.vacation.on", dateOr(v.Start, "…"), dateOr(v.End, "…"), cmp.Or(v.Days, 7),
		message.SanitizeLine(strings.Join(v.Addresses, ", "))))
	return nil
}

var errNoSieve = errors.New("cli: the account has no ManageSieve")
