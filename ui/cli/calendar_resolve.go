package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/calendar"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
)

// magpie calendar conflicts [ACCOUNT]: the conflict copies kept after a
// write raced another client's (and the writes still queued offline);
// magpie calendar resolve ID --keep mine|theirs settles a copy.

func newCalendarConflictsCmd(s *Session) []*cobra.Command {
	p := s.P
	list := &cobra.Command{
		Use: "conflicts [ACCOUNT]", Short: p.T("cli.calendar.conflicts.short"), Long: p.T("cli.calendar.conflicts.long"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usage("want at most one account, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error { return s.calendarConflicts(cmd.Context(), args) },
	}
	var keep string
	resolve := &cobra.Command{
		Use: "resolve ID --keep mine|theirs", Short: p.T("cli.calendar.resolve.short"), Long: p.T("cli.calendar.resolve.long"),
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil || id <= 0 {
				return usage("ID %q: want the number magpie calendar conflicts shows", args[0])
			}
			if keep != "mine" && keep != "theirs" {
				return usage("--keep %q: want mine or theirs", keep)
			}
			return s.calendarResolve(cmd.Context(), store.CalObjectID(id), keep == "mine")
		},
	}
	resolve.Flags().StringVar(&keep, "keep", "", p.T("cli.flag.cal_keep"))
	return []*cobra.Command{list, resolve}
}

func (s *Session) calendarConflicts(ctx context.Context, names []string) error {
	p := s.P
	shown, err := s.eachCachedCalendar(ctx, names, func(st *store.Store, a account.Account, c store.Calendar) (int, error) {
		objs, err := st.CalObjectsIn(ctx, c.ID, store.CalConflict, store.CalPending, store.CalPendingDelete)
		if err != nil {
			return 0, s.fail(err, p.T("sync.err_store", err))
		}
		for _, o := range objs {
			title, when := "", ""
			if _, series, err := calendar.Parse(o.Data, time.Local); err == nil {
				if occ, err := series[0].Expand(o.Start, o.Start.Add(24*time.Hour)); err == nil && len(occ) > 0 {
					title, when = occ[0].Summary, occ[0].Start.Format("2006-01-02 15:04")
				}
			}
			kind := map[store.CalObjectState]string{store.CalConflict: "calendar.kind_conflict",
				store.CalPending: "calendar.kind_queued", store.CalPendingDelete: "calendar.kind_queued_delete"}[o.State]
			fmt.Fprintln(s.Stdout, p.T("calendar.conflict_line", int64(o.ID), p.T(kind), a.Name, calendarName(c),
				when, message.SanitizeLine(title)))
		}
		return len(objs), nil
	})
	if err == nil && shown == 0 {
		fmt.Fprintln(s.Stdout, p.T("calendar.no_conflicts"))
	}
	return err
}

func (s *Session) calendarResolve(ctx context.Context, id store.CalObjectID, keepMine bool) error {
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	st, err := s.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	obj, err := st.CalObject(ctx, id)
	if err != nil || obj.State != store.CalConflict {
		return s.fail(store.ErrNotFound, p.T("calendar.no_such_conflict", int64(id)))
	}
	cals, err := st.Calendars(ctx, 0)
	if err != nil {
		return s.fail(err, p.T("sync.err_store", err))
	}
	var cal store.Calendar
	for _, c := range cals {
		if c.ID == obj.Calendar {
			cal = c
		}
	}
	for _, a := range cfg.Accounts {
		acct, err := st.Account(ctx, a.Name)
		if err != nil || acct != cal.Account {
			continue
		}
		sy, err := s.calendarSyncer(ctx, cfg, st, a.Name)
		if err != nil {
			return s.fail(err, s.explainCalendarError(a, err))
		}
		err = sy.Resolve(ctx, cal, obj, keepMine)
		switch {
		case err == nil:
			fmt.Fprintln(s.Stdout, p.T("calendar.resolved"))
			return nil
		case errors.Is(err, calendar.ErrQueued):
			fmt.Fprintln(s.Stdout, p.T("calendar.resolved_queued"))
			return nil
		}
		return s.fail(err, s.explainCalendarError(a, err))
	}
	return s.fail(store.ErrNotFound, p.T("calendar.no_such_conflict", int64(id)))
}
