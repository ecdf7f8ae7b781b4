package rulescreen

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/ui/components/common"
	"github.com/magpie-mail/magpie/ui/components/picker"
	"github.com/magpie-mail/magpie/ui/components/prompt"
)

// Source is the message a new rule is made from (its sender and subject
// prefill the conditions).
type Source struct {
	Sender, Subject string
}

// editor edits one rule: its name, all/any, on/off, its conditions (field,
// operator and value picked from lists; only a value is typed) and its
// actions (kind picked, the folder from the folder picker).
type editor struct {
	orig    string // the name of the rule edited; "" for a new rule
	r       rules.Rule
	cursor  int // row, see rowAt
	col     int // column of a condition or action row
	folders []string
	idents  []string // the account's addresses, for "addressed to"
	input   *prompt.Model
	pick    *picker.Model
	err     string // why the rule cannot be saved yet, worded
}

// Fields, operators and actions in the order space cycles through them.
var (
	fieldOrder = []rules.Field{rules.FieldFrom, rules.FieldTo, rules.FieldCc, rules.FieldRecipient,
		rules.FieldSubject, rules.FieldBody, rules.FieldHeader, rules.FieldAttachment, rules.FieldSize, rules.FieldIdentity}
	actionOrder = []rules.ActionKind{rules.ActionMove, rules.ActionCopy, rules.ActionRead, rules.ActionFlag,
		rules.ActionKeyword, rules.ActionDelete, rules.ActionForward, rules.ActionStop}
)

type rowKind int

const (
	rowName rowKind = iota
	rowAny
	rowEnabled
	rowCond
	rowAddCond
	rowAction
	rowAddAction
)

// Purposes of the editor's prompts and pickers.
const (
	purName    = "name"
	purValue   = "value"
	purHeader  = "header"
	purArg     = "arg"
	purFolder  = "folder"
	purIdent   = "identity"
	defaultHdr = "List-Id"
)

// newEditor starts a new rule: from a message, its sender (picked) and
// subject (offered) and a move to the first folder; without one, an empty
// "from contains" condition to fill in.
func newEditor(src Source, folders, idents []string, set rules.Set) editor {
	e := editor{folders: folders, idents: idents}
	name := cmpStr(src.Sender, src.Subject)
	if src.Sender != "" {
		e.r.Conditions = append(e.r.Conditions, rules.Condition{Field: rules.FieldFrom, Match: rules.MatchIs, Value: src.Sender})
	} else if s := strings.TrimSpace(src.Subject); s != "" {
		e.r.Conditions = append(e.r.Conditions, rules.Condition{Field: rules.FieldSubject, Match: rules.MatchContains, Value: s})
	} else {
		e.r.Conditions = append(e.r.Conditions, rules.Condition{Field: rules.FieldFrom, Match: rules.MatchContains})
	}
	if len(folders) > 0 {
		e.r.Actions = append(e.r.Actions, rules.Action{Kind: rules.ActionMove, Arg: folders[0]})
	} else {
		e.r.Actions = append(e.r.Actions, rules.Action{Kind: rules.ActionFlag})
	}
	if name == "" {
		name = "rule"
	}
	for i, base := 2, name; set.Index(name) >= 0; i++ {
		name = fmt.Sprintf("%s (%d)", base, i)
	}
	e.r.Name = name
	e.cursor = e.firstCond()
	return e
}

// editExisting starts editing r as it is.
func editExisting(r rules.Rule, folders, idents []string) editor {
	r.Conditions = slices.Clone(r.Conditions)
	r.Actions = slices.Clone(r.Actions)
	e := editor{orig: r.Name, r: r, folders: folders, idents: idents}
	e.cursor = e.firstCond()
	return e
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return strings.TrimSpace(b)
}

func (e editor) firstCond() int { return 3 }

// rowAt says what row i is, and the index of its condition or action.
func (e editor) rowAt(i int) (rowKind, int) {
	nc, na := len(e.r.Conditions), len(e.r.Actions)
	switch {
	case i < 3:
		return rowKind(i), 0
	case i < 3+nc:
		return rowCond, i - 3
	case i == 3+nc:
		return rowAddCond, 0
	case i < 4+nc+na:
		return rowAction, i - 4 - nc
	}
	return rowAddAction, 0
}

func (e editor) rows() int { return 5 + len(e.r.Conditions) + len(e.r.Actions) }

// columns of a condition row: field, [header name], [operator], [value].
func condCols(c rules.Condition) []string {
	cols := []string{"field"}
	if c.Field == rules.FieldHeader {
		cols = append(cols, "header")
	}
	if len(matchesFor(c.Field)) > 0 {
		cols = append(cols, "match")
	}
	if c.Field != rules.FieldAttachment {
		cols = append(cols, "value")
	}
	return cols
}

func actionCols(a rules.Action) []string {
	switch a.Kind {
	case rules.ActionMove, rules.ActionCopy, rules.ActionKeyword, rules.ActionForward:
		return []string{"kind", "arg"}
	}
	return []string{"kind"}
}

// matchesFor lists the operators a field takes.
func matchesFor(f rules.Field) []rules.Match {
	switch f {
	case rules.FieldAttachment, rules.FieldIdentity:
		return nil
	case rules.FieldSize:
		return []rules.Match{rules.MatchOver, rules.MatchUnder}
	case rules.FieldBody:
		return []rules.Match{rules.MatchContains, rules.MatchIs, rules.MatchMatches}
	}
	return []rules.Match{rules.MatchContains, rules.MatchIs, rules.MatchMatches, rules.MatchRegex}
}

func next[T comparable](list []T, cur T) T {
	i := slices.Index(list, cur)
	return list[(i+1)%len(list)]
}

// withField switches c to field f, keeping what still makes sense.
func (e editor) withField(c rules.Condition, f rules.Field) rules.Condition {
	c.Field = f
	ms := matchesFor(f)
	switch {
	case len(ms) == 0:
		c.Match = ""
	case !slices.Contains(ms, c.Match):
		c.Match = ms[0]
	}
	switch f {
	case rules.FieldAttachment:
		c.Value, c.Size = "", 0
	case rules.FieldSize:
		c.Value = ""
		if c.Size <= 0 {
			c.Size = 5 << 20
		}
	case rules.FieldIdentity:
		if !slices.Contains(e.idents, c.Value) {
			c.Value = ""
			if len(e.idents) > 0 {
				c.Value = e.idents[0]
			}
		}
	case rules.FieldHeader:
		c.Header = cmpStr(c.Header, defaultHdr)
	}
	if f != rules.FieldSize {
		c.Size = 0
	}
	if f != rules.FieldHeader {
		c.Header = ""
	}
	return c
}

func (e editor) withKind(a rules.Action, k rules.ActionKind) rules.Action {
	a.Kind, a.Arg = k, ""
	if (k == rules.ActionMove || k == rules.ActionCopy) && len(e.folders) > 0 {
		a.Arg = e.folders[0]
	}
	return a
}

// update handles a key; done reports the end of editing, save whether the
// rule is to be saved (it validates first: an invalid rule stays open).
func (e editor) update(k tea.KeyPressMsg, m Model) (ed editor, done, save bool) {
	km, p := m.keys, m.p
	c := common.New(p)
	if e.input != nil {
		in, cmd := e.input.Update(k)
		e.input = &in
		if cmd != nil {
			switch msg := cmd().(type) {
			case prompt.SubmittedMsg:
				e = e.submit(msg.Purpose, msg.Value, p)
				e.input = nil
			case prompt.CancelledMsg:
				e.input = nil
			}
		}
		return e, false, false
	}
	if e.pick != nil {
		pk, cmd := e.pick.Update(k)
		e.pick = &pk
		switch {
		case cmd != nil:
			switch msg := cmd().(type) {
			case picker.PickedMsg:
				e = e.submit(msg.Purpose, msg.Item.Value.(string), p)
				e.pick = nil
			case picker.CancelledMsg:
				e.pick = nil
			}
		case k.String() == "enter" && pk.Filter() != "":
			// Nothing matches what was typed: a folder made on first use.
			e = e.submit(pk.Purpose(), strings.TrimSpace(pk.Filter()), p)
			e.pick = nil
		}
		return e, false, false
	}
	e.err = ""
	kind, idx := e.rowAt(e.cursor)
	switch {
	case key.Matches(k, km.Close):
		return e, true, false
	case key.Matches(k, km.Commit):
		if err := e.r.Validate(); err != nil {
			e.err = m.word(err)
			return e, false, false
		}
		return e, true, true
	case key.Matches(k, km.Up):
		e.cursor, e.col = max(e.cursor-1, 0), 0
	case key.Matches(k, km.Down):
		e.cursor, e.col = min(e.cursor+1, e.rows()-1), 0
	case key.Matches(k, km.Left):
		e.col = max(e.col-1, 0)
	case key.Matches(k, km.Right):
		switch kind {
		case rowCond:
			e.col = min(e.col+1, len(condCols(e.r.Conditions[idx]))-1)
		case rowAction:
			e.col = min(e.col+1, len(actionCols(e.r.Actions[idx]))-1)
		}
	case key.Matches(k, km.Remove) && kind == rowCond && len(e.r.Conditions) > 1:
		e.r.Conditions = slices.Delete(slices.Clone(e.r.Conditions), idx, idx+1)
		e.col = 0
	case key.Matches(k, km.Remove) && kind == rowAction && len(e.r.Actions) > 1:
		e.r.Actions = slices.Delete(slices.Clone(e.r.Actions), idx, idx+1)
		e.cursor, e.col = e.cursor-1, 0
	case key.Matches(k, km.Not) && kind == rowCond:
		e.r.Conditions = slices.Clone(e.r.Conditions)
		e.r.Conditions[idx].Not = !e.r.Conditions[idx].Not
	case key.Matches(k, km.Cycle):
		e = e.cycle(kind, idx, c)
	case key.Matches(k, km.Change):
		e = e.activate(kind, idx, c)
	}
	return e, false, false
}

// cycle is space: the next choice in the row's focused column.
func (e editor) cycle(kind rowKind, idx int, c *common.Common) editor {
	switch kind {
	case rowAny:
		e.r.Any = !e.r.Any
	case rowEnabled:
		e.r.Disabled = !e.r.Disabled
	case rowCond:
		e.r.Conditions = slices.Clone(e.r.Conditions)
		cd := &e.r.Conditions[idx]
		switch condCols(*cd)[min(e.col, len(condCols(*cd))-1)] {
		case "field":
			*cd = e.withField(*cd, next(fieldOrder, cd.Field))
		case "match":
			cd.Match = next(matchesFor(cd.Field), cd.Match)
		case "value":
			if cd.Field == rules.FieldIdentity && len(e.idents) > 0 {
				cd.Value = next(e.idents, cd.Value)
			}
		}
	case rowAction:
		e.r.Actions = slices.Clone(e.r.Actions)
		a := &e.r.Actions[idx]
		if e.col == 0 {
			*a = e.withKind(*a, next(actionOrder, a.Kind))
		} else if a.Kind == rules.ActionMove || a.Kind == rules.ActionCopy {
			return e.activate(kind, idx, c)
		}
	case rowAddCond, rowAddAction:
		return e.activate(kind, idx, c)
	}
	return e
}

// activate is enter: type the focused value, pick a folder or an address,
// or add a row.
func (e editor) activate(kind rowKind, idx int, c *common.Common) editor {
	p := c.P
	ask := func(purpose, title, value string) editor {
		in := prompt.New(c, purpose, title, p.T("rscr.ed.prompt_hint"), value)
		e.input = &in
		return e
	}
	switch kind {
	case rowName:
		return ask(purName, p.T("rscr.ed.name"), e.r.Name)
	case rowAny, rowEnabled:
		return e.cycle(kind, idx, c)
	case rowAddCond:
		e.r.Conditions = append(slices.Clone(e.r.Conditions), rules.Condition{Field: rules.FieldFrom, Match: rules.MatchContains})
		e.cursor, e.col = 3+len(e.r.Conditions)-1, 2
		return ask(purValue, p.T("rscr.ed.value"), "")
	case rowAddAction:
		e.r.Actions = append(slices.Clone(e.r.Actions), e.withKind(rules.Action{}, rules.ActionMove))
		if len(e.folders) == 0 {
			e.r.Actions[len(e.r.Actions)-1] = rules.Action{Kind: rules.ActionFlag}
		}
		e.cursor, e.col = e.rows()-2, 0
	case rowCond:
		cd := e.r.Conditions[idx]
		switch condCols(cd)[min(e.col, len(condCols(cd))-1)] {
		case "header":
			return ask(purHeader, p.T("rscr.ed.header"), cd.Header)
		case "value":
			switch cd.Field {
			case rules.FieldIdentity:
				return e.picker(c, purIdent, p.T("rscr.ed.identity"), e.idents)
			case rules.FieldSize:
				return ask(purValue, p.T("rscr.ed.size"), rules.FormatSize(cd.Size))
			}
			return ask(purValue, p.T("rscr.ed.value"), cd.Value)
		default:
			return e.cycle(kind, idx, c)
		}
	case rowAction:
		a := e.r.Actions[idx]
		switch {
		case e.col == 0:
			return e.cycle(kind, idx, c)
		case a.Kind == rules.ActionMove || a.Kind == rules.ActionCopy:
			return e.picker(c, purFolder, p.T("rscr.ed.folder"), e.folders)
		case a.Kind == rules.ActionForward:
			return ask(purArg, p.T("rscr.ed.forward"), a.Arg)
		case a.Kind == rules.ActionKeyword:
			return ask(purArg, p.T("rscr.ed.keyword"), a.Arg)
		}
	}
	return e
}

func (e editor) picker(c *common.Common, purpose, title string, values []string) editor {
	items := make([]picker.Item, len(values))
	for i, v := range values {
		items[i] = picker.Item{Label: common.Clean(v), Value: v}
	}
	pk := picker.New(c, purpose, title, items)
	e.pick = &pk
	return e
}

// submit puts a typed or picked value where it belongs.
func (e editor) submit(purpose, value string, p interface{ T(string, ...any) string }) editor {
	kind, idx := e.rowAt(e.cursor)
	switch {
	case purpose == purName:
		e.r.Name = strings.TrimSpace(value)
	case kind == rowCond:
		e.r.Conditions = slices.Clone(e.r.Conditions)
		cd := &e.r.Conditions[idx]
		switch purpose {
		case purHeader:
			cd.Header = strings.TrimSpace(value)
		case purIdent:
			cd.Value = value
		case purValue:
			if cd.Field != rules.FieldSize {
				cd.Value = value
				break
			}
			n, err := rules.ParseSize(strings.TrimSpace(value))
			if err != nil {
				e.err = p.T("rscr.ed.bad_size", common.Clean(value))
				break
			}
			cd.Size = n
		}
	case kind == rowAction:
		e.r.Actions = slices.Clone(e.r.Actions)
		e.r.Actions[idx].Arg = strings.TrimSpace(value)
	}
	return e
}
