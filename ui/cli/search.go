package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/message"
	"github.com/magpie-mail/magpie/store"
	"github.com/magpie-mail/magpie/ui/i18n"
)

const defaultSearchLimit = 50

func newSearchCmd(s *Session) *cobra.Command {
	var asJSON bool
	var limit int
	p := s.P
	cmd := &cobra.Command{
		Use:     "search [ACCOUNT] QUERY…",
		Short:   p.T("cli.search.short"),
		Long:    p.T("cli.search.long"),
		Example: p.T("cli.search.example"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usage("want a query")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit <= 0 {
				return usage("--limit %d: want a positive number", limit)
			}
			return s.search(cmd.Context(), args, asJSON, limit)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, p.T("cli.flag.json"))
	cmd.Flags().IntVar(&limit, "limit", defaultSearchLimit, p.T("cli.flag.limit", defaultSearchLimit))
	return cmd
}

// searchHit is one result with the names it is shown with.
type searchHit struct {
	m       store.Message
	account string
	folder  string
}

func (s *Session) search(ctx context.Context, args []string, asJSON bool, limit int) error {
	p := s.P
	cfg, err := s.loadConfig()
	if err != nil {
		return err
	}
	// The first argument names an account only when the config has one by
	// that name; otherwise it is the start of the query.
	accts := cfg.Accounts
	if a, ok := cfg.Account(args[0]); ok {
		accts, args = []account.Account{a}, args[1:]
	}
	text := strings.Join(args, " ")
	q, err := store.ParseQuery(text)
	if err != nil {
		return queryUsageError(p, text, err)
	}
	if len(accts) == 0 {
		return s.fail(account.ErrNotFound, p.T("sync.no_accounts"))
	}
	st, err := s.openExistingStore(ctx)
	if err != nil {
		return err
	}
	if st == nil {
		return s.fail(store.ErrNotFound, p.T("search.no_store"))
	}
	defer st.Close()

	var hits []searchHit
	folders := map[store.FolderID]string{}
	for _, a := range accts {
		id, err := st.Account(ctx, a.Name)
		if err != nil {
			return s.fail(err, p.T("store.read_failed", message.SanitizeLine(err.Error())))
		}
		// One query per account keeps mail of accounts no longer configured
		// out, and the limit applies to the merged, date-sorted list.
		msgs, err := st.Search(ctx, store.SearchRequest{Account: id, Query: q, Limit: limit})
		if err != nil {
			return s.fail(err, p.T("store.read_failed", message.SanitizeLine(err.Error())))
		}
		for _, m := range msgs {
			name, ok := folders[m.Folder]
			if !ok {
				if f, err := st.Folder(ctx, m.Folder); err == nil {
					name = f.Name
				}
				folders[m.Folder] = name
			}
			hits = append(hits, searchHit{m: m, account: a.Name, folder: name})
		}
	}
	slices.SortStableFunc(hits, func(a, b searchHit) int {
		if c := b.m.SortDate().Compare(a.m.SortDate()); c != 0 {
			return c
		}
		return int(b.m.ID - a.m.ID)
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	if asJSON {
		return s.printHitsJSON(hits)
	}
	if len(hits) == 0 {
		fmt.Fprintln(s.Stdout, p.T("search.none"))
		return nil
	}
	s.printHits(hits, len(accts) > 1)
	return nil
}

// queryUsageError words a query syntax error with its position: exit 2.
func queryUsageError(p *i18n.Printer, text string, err error) error {
	var qe *store.QueryError
	if !errors.As(err, &qe) {
		return usageError{err}
	}
	pos := min(max(qe.Pos, 0), len(text))
	// Column in characters (1-based), and a caret under it measured in cells.
	col := len([]rune(text[:pos])) + 1
	caret := strings.Repeat(" ", lipgloss.Width(text[:pos])) + "^"
	msg := p.T("search.syntax", col, queryProblem(p, qe.Msg)) + "\n  " + message.SanitizeLine(text) + "\n  " + caret
	return usageError{errors.New(msg)}
}

// queryProblem words the store's query error messages.
func queryProblem(p *i18n.Printer, msg string) string {
	switch {
	case msg == "unterminated quote":
		return p.T("search.err.quote")
	case strings.HasSuffix(msg, ": needs a value"):
		return p.T("search.err.value", strings.TrimSuffix(msg, ": needs a value")+":")
	case strings.HasPrefix(msg, "has:"):
		return p.T("search.err.has")
	case strings.HasPrefix(msg, "is:"):
		return p.T("search.err.is")
	case strings.HasSuffix(msg, ": want YYYY-MM-DD"):
		return p.T("search.err.date", strings.TrimSuffix(msg, ": want YYYY-MM-DD")+":")
	}
	return message.SanitizeLine(msg)
}

// searchJSON is one result of `magpie search --json`.
type searchJSON struct {
	Account       string    `json:"account"`
	Folder        string    `json:"folder"`
	Date          time.Time `json:"date"`
	From          addrJSON  `json:"from"`
	Subject       string    `json:"subject"`
	Unread        bool      `json:"unread"`
	Flagged       bool      `json:"flagged"`
	HasAttachment bool      `json:"has_attachment"`
	MessageID     string    `json:"message_id"`
}

type addrJSON struct {
	Name    string `json:"name"`
	Address string `json:"address"`
}

func (s *Session) printHitsJSON(hits []searchHit) error {
	out := make([]searchJSON, 0, len(hits))
	for _, h := range hits {
		m := h.m
		out = append(out, searchJSON{Account: h.account, Folder: h.folder, Date: m.SortDate(),
			From: addrJSON{m.From.Name, m.From.Addr}, Subject: m.Subject,
			Unread: !m.Flags.Has(store.FlagSeen), Flagged: m.Flags.Has(store.FlagFlagged),
			HasAttachment: m.HasAttachment, MessageID: m.MsgID})
	}
	enc := json.NewEncoder(s.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Column limits in terminal cells; the subject gets what the terminal has left.
const (
	fromCells    = 24
	folderCells  = 20
	accountCells = 12
	minSubject   = 16
)

func (s *Session) printHits(hits []searchHit, withAccount bool) {
	p := s.P
	head := []string{p.T("search.col.date"), p.T("search.col.from"), p.T("search.col.subject"), p.T("search.col.folder")}
	if withAccount {
		head = append(head, p.T("search.col.account"))
	}
	rows := make([][]string, 0, len(hits)+1)
	widths := make([]int, len(head))
	for i, h := range head {
		widths[i] = lipgloss.Width(h)
	}
	for _, h := range hits {
		from := h.m.From.Name
		if from == "" {
			from = h.m.From.Addr
		}
		unread := " "
		if !h.m.Flags.Has(store.FlagSeen) {
			unread = "*"
		}
		r := []string{
			h.m.SortDate().Local().Format("2006-01-02 15:04"),
			ansi.Truncate(message.SanitizeLine(from), fromCells, "…"),
			unread + " " + message.SanitizeLine(h.m.Subject),
			ansi.Truncate(message.SanitizeLine(h.folder), folderCells, "…"),
		}
		if withAccount {
			r = append(r, ansi.Truncate(message.SanitizeLine(h.account), accountCells, "…"))
		}
		for i, c := range r {
			widths[i] = max(widths[i], lipgloss.Width(c))
		}
		rows = append(rows, r)
	}
	if w := s.termWidth(); w > 0 {
		// Everything but the subject, plus two cells between columns.
		used := 2 * (len(head) - 1)
		for i, cw := range widths {
			if i != 2 {
				used += cw
			}
		}
		room := max(w-used, minSubject)
		for _, r := range rows {
			r[2] = ansi.Truncate(r[2], room, "…")
		}
	}
	writeTable(s.Stdout, append([][]string{head}, rows...))
}

// termWidth is the width of the terminal in cells: $COLUMNS, else the size
// of the terminal on stdout, else 0 (not a terminal: no limit).
func (s *Session) termWidth() int {
	if n, err := strconv.Atoi(s.Getenv("COLUMNS")); err == nil && n > 0 {
		return n
	}
	if f, ok := s.Stdout.(*os.File); ok && s.StdoutIsTerminal {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	return 0
}
