package rulescreen

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/ui/components/common"
)

// Source is the message a new rule is made from (its sender and subject
// prefill the conditions).
type Source struct {
	Sender, Subject string
}

// editor makes a rule from a message: conditions and actions are picked
// from prefilled rows, never typed.
type editor struct {
	rows    []row
	cursor  int
	folders []string // folders move and copy can pick from
	folder  int      // index into folders
}

type row struct {
	on     bool
	cond   *rules.Condition // a condition row, or
	action rules.ActionKind // an action row (move and copy use the picked folder)
}

func newEditor(src Source, folders []string) editor {
	e := editor{folders: folders}
	if src.Sender != "" {
		e.rows = append(e.rows, row{on: true, cond: &rules.Condition{Field: rules.FieldFrom, Match: rules.MatchIs, Value: src.Sender}})
	}
	if s := strings.TrimSpace(src.Subject); s != "" {
		e.rows = append(e.rows, row{cond: &rules.Condition{Field: rules.FieldSubject, Match: rules.MatchContains, Value: s}})
	}
	if len(folders) > 0 {
		e.rows = append(e.rows, row{on: true, action: rules.ActionMove}, row{action: rules.ActionCopy})
	}
	for _, k := range []rules.ActionKind{rules.ActionRead, rules.ActionFlag, rules.ActionDelete, rules.ActionStop} {
		// Without a folder to move to, flagging is the picked default.
		e.rows = append(e.rows, row{action: k, on: k == rules.ActionFlag && len(folders) == 0})
	}
	return e
}

// rule builds the rule the rows say, named after the sender (or subject),
// made unique in set.
func (e editor) rule(src Source, set rules.Set) rules.Rule {
	name := cmpStr(src.Sender, src.Subject)
	for i, base := 2, name; set.Index(name) >= 0; i++ {
		name = fmt.Sprintf("%s (%d)", base, i)
	}
	r := rules.Rule{Name: name}
	for _, rw := range e.rows {
		switch {
		case !rw.on:
		case rw.cond != nil:
			r.Conditions = append(r.Conditions, *rw.cond)
		default:
			r.Actions = append(r.Actions, e.action(rw.action))
		}
	}
	return r
}

func (e editor) action(k rules.ActionKind) rules.Action {
	if k == rules.ActionMove || k == rules.ActionCopy {
		return rules.Action{Kind: k, Arg: e.folders[e.folder]}
	}
	return rules.Action{Kind: k}
}

func cmpStr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// update handles a key in the editor; done reports Enter (save) or Esc
// (cancel, save false).
func (e editor) update(k tea.KeyPressMsg, km keyMap) (ed editor, done, save bool) {
	switch {
	case key.Matches(k, km.Close):
		return e, true, false
	case key.Matches(k, km.Save):
		return e, true, true
	case key.Matches(k, km.Up):
		e.cursor = max(e.cursor-1, 0)
	case key.Matches(k, km.Down):
		e.cursor = min(e.cursor+1, len(e.rows)-1)
	case key.Matches(k, km.Toggle) && len(e.rows) > 0:
		e.rows = append([]row{}, e.rows...)
		e.rows[e.cursor].on = !e.rows[e.cursor].on
	case key.Matches(k, km.Left) && len(e.folders) > 0:
		e.folder = (e.folder + len(e.folders) - 1) % len(e.folders)
	case key.Matches(k, km.Right) && len(e.folders) > 0:
		e.folder = (e.folder + 1) % len(e.folders)
	}
	return e, false, false
}

// view lists the rows, the selected one marked.
func (e editor) view(m Model) []string {
	p := m.p
	lines := []string{p.T("rscr.new.title")}
	for i, rw := range e.rows {
		box := "[ ]"
		if rw.on {
			box = "[x]"
		}
		var text string
		switch {
		case rw.cond != nil:
			text = p.T("rscr.new.if", rw.cond.String())
		case rw.action == rules.ActionMove || rw.action == rules.ActionCopy:
			text = p.T("rscr.new.then", e.action(rw.action).String()) + "  " + p.T("rscr.new.pick_folder")
		default:
			text = p.T("rscr.new.then", string(rw.action))
		}
		line := common.Clean(box + " " + text)
		if i == e.cursor {
			lines = append(lines, "> "+line)
		} else {
			lines = append(lines, "  "+line)
		}
	}
	return lines
}
