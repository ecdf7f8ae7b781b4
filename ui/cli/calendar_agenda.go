package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/calendar/lunar"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

type agendaFlags struct {
	from   string
	days   int
	asJSON bool
	lunar  string // "", "on", "off"
}

func newCalendarAgendaCmd(s *Session) *cobra.Command {
	var f agendaFlags
	cmd := &cobra.Command{
		Use: "agenda", Short: s.P.T("cli.calendar.agenda.short"), Long: s.P.T("cli.calendar.agenda.long"), Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return s.calendarAgenda(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.from, "from", "", s.P.T("cli.flag.cal_from"))
	fl.IntVar(&f.days, "days", 7, s.P.T("cli.flag.cal_days"))
	fl.BoolVar(&f.asJSON, "json", false, s.P.T("cli.flag.json"))
	fl.StringVar(&f.lunar, "lunar", "", s.P.T("cli.flag.cal_lunar"))
	return cmd
}

// agendaItem is one occurrence of `magpie calendar agenda --json`.
type agendaItem struct {
	Account      string `json:"account"`
	Calendar     string `json:"calendar"`
	UID          string `json:"uid"`
	Title        string `json:"title"`
	Start        string `json:"start"`
	End          string `json:"end"`
	AllDay       bool   `json:"all_day"`
	Lunar        string `json:"lunar"`
	RecurrenceID string `json:"recurrence_id,omitempty"`
	Location     string `json:"location,omitempty"`
	// Conflict marks the member's own version kept after a write conflict.
	Conflict bool `json:"conflict,omitempty"`
}

// agendaOccurrences expands the cached events of visible calendars in
// [from, to): offline, from the store only.
func agendaOccurrences(ctx context.Context, st *store.Store, names map[store.AccountID]string, from, to time.Time) ([]agendaItem, []calendar.Occurrence, error) {
	cals, err := st.Calendars(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	byID := map[store.CalendarID]store.Calendar{}
	var ids []store.CalendarID
	for _, c := range cals {
		if _, ok := names[c.Account]; ok && !c.Hidden {
			byID[c.ID] = c
			ids = append(ids, c.ID)
		}
	}
	ex := &calendar.Expander{Store: st, Loc: from.Location()}
	objs, err := ex.Objects(ctx, ids, from, to)
	if err != nil {
		return nil, nil, err
	}
	type pair struct {
		item agendaItem
		occ  calendar.Occurrence
	}
	var all []pair
	for _, o := range objs {
		c := byID[o.Calendar]
		occs, err := ex.Expand(ctx, o, from, to)
		if err != nil {
			continue // kept in the cache, but nothing to show
		}
		for _, oc := range occs {
			it := agendaItem{Account: names[c.Account], Calendar: calendarName(c), UID: oc.UID,
				Title: message.SanitizeLine(oc.Summary), Location: message.SanitizeLine(oc.Location), AllDay: oc.AllDay,
				Start: oc.Start.Format(time.RFC3339), End: oc.End.Format(time.RFC3339), Conflict: o.State == store.CalConflict}
			if oc.AllDay {
				it.Start, it.End = oc.Start.Format(time.DateOnly), oc.End.Format(time.DateOnly)
			}
			if !oc.RecurrenceID.IsZero() {
				it.RecurrenceID = oc.RecurrenceID.Format(time.RFC3339)
			}
			all = append(all, pair{it, oc})
		}
	}
	_ = ex.Backfill(ctx) // rows of an older cache: read faster next time; a failure costs only speed
	sort.SliceStable(all, func(i, j int) bool { return all[i].occ.Start.Before(all[j].occ.Start) })
	items := make([]agendaItem, len(all))
	occs := make([]calendar.Occurrence, len(all))
	for i, p := range all {
		items[i], occs[i] = p.item, p.occ
	}
	return items, occs, nil
}

func (s *Session) calendarAgenda(ctx context.Context, f agendaFlags) error {
	p := s.P
	loc := time.Local
	from := time.Now().In(loc)
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, loc)
	if f.from != "" {
		t, err := time.ParseInLocation(time.DateOnly, f.from, loc)
		if err != nil {
			return usage("--from %q: want YYYY-MM-DD", f.from)
		}
		from = t
	}
	if f.days < 1 || f.days > 3660 {
		return usage("--days %d: want 1 to 3660", f.days)
	}
	showLunar := p.Lang() == i18n.ZH
	switch f.lunar {
	case "":
	case "on":
		showLunar = true
	case "off":
		showLunar = false
	default:
		return usage("--lunar %q: want on or off", f.lunar)
	}
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	st, err := s.openExistingStore(ctx)
	if err != nil {
		return err
	}
	names := map[store.AccountID]string{}
	var items []agendaItem
	var occs []calendar.Occurrence
	if st != nil {
		defer st.Close()
		for _, a := range cfg.Accounts {
			id, err := st.Account(ctx, a.Name)
			if err != nil {
				return s.fail(err, p.T("sync.err_store", err))
			}
			names[id] = a.Name
		}
		items, occs, err = agendaOccurrences(ctx, st, names, from, from.AddDate(0, 0, f.days))
		if err != nil {
			return s.fail(err, p.T("sync.err_store", err))
		}
	}
	var lc lunar.Calendar
	for i := range items {
		d := occs[i].Start.In(loc)
		items[i].Lunar = lc.Date(d.Year(), d.Month(), d.Day()).String()
	}
	if f.asJSON {
		if items == nil {
			items = []agendaItem{}
		}
		enc := json.NewEncoder(s.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(items)
	}
	if len(items) == 0 {
		fmt.Fprintln(s.Stdout, p.T("calendar.agenda_empty"))
		return nil
	}
	lastDay := ""
	for i, it := range items {
		oc := occs[i]
		day := oc.Start.In(loc).Format(time.DateOnly)
		if day != lastDay {
			head := day + " " + p.T(weekdayKey(oc.Start.In(loc).Weekday()))
			if showLunar {
				ld := lc.Date(oc.Start.In(loc).Year(), oc.Start.In(loc).Month(), oc.Start.In(loc).Day())
				head += "  " + ld.String()
				if ld.Festival != "" {
					head += " " + p.T("lunar.name."+ld.Festival)
				} else if ld.Term >= 0 {
					head += " " + p.T("lunar.name."+lunar.TermName(ld.Term))
				}
				if h := ld.Holiday; !h.IsZero() {
					head += " " + p.T(map[bool]string{true: "calendar.badge_work", false: "calendar.badge_off"}[h.Work])
				}
			}
			fmt.Fprintln(s.Stdout, head)
			lastDay = day
		}
		when := p.T("calendar.all_day")
		if !oc.AllDay {
			when = oc.Start.In(loc).Format("15:04") + "–" + oc.End.In(loc).Format("15:04")
		}
		line := fmt.Sprintf("  %-11s  %s  [%s]", when, it.Title, it.Calendar)
		if it.Conflict {
			line += " " + p.T("calendar.conflict_copy")
		}
		fmt.Fprintln(s.Stdout, line)
	}
	return nil
}

func weekdayKey(w time.Weekday) string {
	return "calendar.weekday." + strings.ToLower(w.String()[:3])
}

type addEventFlags struct {
	account, calendar, title, start, end, location, rrule, tz string
	duration                                                  time.Duration
	allDay                                                    bool
}

func newCalendarAddCmd(s *Session) *cobra.Command {
	var f addEventFlags
	cmd := &cobra.Command{
		Use: "add --account A --calendar NAME --title T --start \"YYYY-MM-DD HH:MM\"", Short: s.P.T("cli.calendar.add.short"),
		Long: s.P.T("cli.calendar.add.long"), Example: s.P.T("cli.calendar.add.example"), Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return s.calendarAdd(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.account, "account", "", s.P.T("cli.flag.cal_account"))
	fl.StringVar(&f.calendar, "calendar", "", s.P.T("cli.flag.cal_calendar"))
	fl.StringVar(&f.title, "title", "", s.P.T("cli.flag.cal_title"))
	fl.StringVar(&f.start, "start", "", s.P.T("cli.flag.cal_start"))
	fl.StringVar(&f.end, "end", "", s.P.T("cli.flag.cal_end"))
	fl.DurationVar(&f.duration, "duration", time.Hour, s.P.T("cli.flag.cal_duration"))
	fl.BoolVar(&f.allDay, "all-day", false, s.P.T("cli.flag.cal_all_day"))
	fl.StringVar(&f.rrule, "rrule", "", s.P.T("cli.flag.cal_rrule"))
	fl.StringVar(&f.location, "location", "", s.P.T("cli.flag.cal_location"))
	fl.StringVar(&f.tz, "tz", "", s.P.T("cli.flag.cal_tz"))
	return cmd
}

func parseWhen(v string, loc *time.Location) (time.Time, error) {
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(v), loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("cli: bad time %q", v)
}

func (s *Session) calendarAdd(ctx context.Context, f addEventFlags) error {
	p := s.P
	if f.account == "" || f.calendar == "" || f.title == "" || f.start == "" {
		return usage("--account, --calendar, --title and --start are required")
	}
	loc := time.Local
	if f.tz != "" {
		l, ok := calendar.ResolveTZID(f.tz)
		if !ok {
			return usage("--tz %q: unknown time zone", f.tz)
		}
		loc = l
	}
	start, err := parseWhen(f.start, loc)
	if err != nil {
		return usage("--start %q: want \"YYYY-MM-DD HH:MM\" (or YYYY-MM-DD with --all-day)", f.start)
	}
	ev := calendar.NewEvent{Summary: f.title, Location: f.location, Start: start, AllDay: f.allDay, RRule: f.rrule}
	switch {
	case f.end != "":
		if ev.End, err = parseWhen(f.end, loc); err != nil {
			return usage("--end %q: want \"YYYY-MM-DD HH:MM\"", f.end)
		}
		if f.allDay {
			ev.End = ev.End.AddDate(0, 0, 1) // --end names the last day; DTEND is exclusive
		}
	case f.allDay:
		ev.End = start.AddDate(0, 0, 1)
	default:
		ev.End = start.Add(f.duration)
	}
	if f.allDay {
		ev.Start = time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, loc)
	}
	if ev.End.Before(ev.Start) {
		return usage("--end is before --start")
	}
	var rnd [12]byte
	_, _ = rand.Read(rnd[:])
	ev.UID = hex.EncodeToString(rnd[:]) + "@magpie"

	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	a, ok := cfg.Account(f.account)
	if !ok {
		return s.fail(account.ErrNotFound, p.T("account.not_found", f.account))
	}
	st, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	cal, c, preset, err := s.findCalendar(ctx, st, a, f.calendar)
	if err != nil {
		return err
	}
	data, err := ev.Encode(preset.IgnoresTZID, time.Now())
	if err != nil {
		return usage("%v", err)
	}
	acct, _ := st.Account(ctx, a.Name)
	sy := &calendar.Syncer{Client: c, Store: st, Account: acct, Loc: time.Local}
	if _, err := sy.Create(ctx, cal, ev.UID, data); err != nil {
		return s.fail(err, s.explainCalendarError(a, err))
	}
	fmt.Fprintln(s.Stdout, p.T("calendar.added", message.SanitizeLine(f.title), calendarName(cal)))
	return nil
}

// findCalendar finds the cached calendar named name (or with that URL),
// syncing the account's calendars first when it is not cached yet.
func (s *Session) findCalendar(ctx context.Context, st *store.Store, a account.Account, name string) (store.Calendar, *calendar.Client, calendar.Preset, error) {
	c, _, preset, err := s.calendarClient(ctx, a)
	if err != nil {
		return store.Calendar{}, nil, preset, s.fail(err, s.explainCalendarError(a, err))
	}
	acct, err := st.Account(ctx, a.Name)
	if err != nil {
		return store.Calendar{}, nil, preset, s.fail(err, s.P.T("sync.err_store", err))
	}
	for attempt := 0; attempt < 2; attempt++ {
		cals, err := st.Calendars(ctx, acct)
		if err != nil {
			return store.Calendar{}, nil, preset, s.fail(err, s.P.T("sync.err_store", err))
		}
		for _, cal := range cals {
			if cal.Name == name || cal.URL == name {
				return cal, c, preset, nil
			}
		}
		if attempt == 0 {
			if err := s.syncAccountCalendars(ctx, st, a); err != nil {
				return store.Calendar{}, nil, preset, s.fail(err, s.explainCalendarError(a, err))
			}
		}
	}
	return store.Calendar{}, nil, preset, s.fail(calendar.ErrNotFound, s.P.T("calendar.not_found", name, a.Name))
}
