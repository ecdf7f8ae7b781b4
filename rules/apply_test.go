package rules_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/magpie-mail/magpie/rules"
	"github.com/magpie-mail/magpie/store"
)

func TestEvaluate(t *testing.T) {
	s := rules.Set{
		Rules: []rules.Rule{
			{Name: "quotes", Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "报价"}},
				Actions: []rules.Action{{Kind: rules.ActionMove, Arg: "客户"}, {Kind: rules.ActionRead}}},
			{Name: "boss name", Conditions: []rules.Condition{{Field: rules.FieldFrom, Match: rules.MatchContains, Value: "王经理"}},
				Actions: []rules.Action{{Kind: rules.ActionFlag}, {Kind: rules.ActionForward, Arg: "me@else.example"}, {Kind: rules.ActionStop}}},
			{Name: "jira", Conditions: []rules.Condition{{Field: rules.FieldHeader, Header: "X-Tracker", Match: rules.MatchMatches, Value: "jira-*"}},
				Actions: []rules.Action{{Kind: rules.ActionCopy, Arg: "Jira"}, {Kind: rules.ActionKeyword, Arg: "Work"}}},
			{Name: "big", Conditions: []rules.Condition{{Field: rules.FieldSize, Match: rules.MatchOver, Size: 1000}, {Field: rules.FieldAttachment}}, Any: true,
				Actions: []rules.Action{{Kind: rules.ActionDelete}}},
		},
		Block: []string{"@spam.example"},
		Allow: []string{"ok@spam.example"},
	}
	cases := []struct {
		raw  string
		want rules.Outcome
	}{
		{"From: a@client.example\r\nSubject: =?UTF-8?B?5YWz5LqO5oql5Lu3?=\r\n\r\nhi\r\n", // 关于报价
			rules.Outcome{Matched: []string{"quotes"}, Folders: []string{"客户"}, Seen: true}},
		{"From: =?UTF-8?B?546L57uP55CG?= <wang@corp.example>\r\nSubject: 报价\r\n\r\nhi\r\n", // 王经理; stop after
			rules.Outcome{Matched: []string{"quotes", "boss name"}, Folders: []string{"客户"}, Seen: true, Flagged: true, Forward: []string{"me@else.example"}}},
		{"From: x@spam.example\r\nSubject: 报价\r\n\r\nbuy\r\n",
			rules.Outcome{Blocked: true, Folders: []string{"Junk"}}},
		{"From: OK@spam.example\r\nSubject: hello\r\nX-Tracker: =?UTF-8?Q?JIRA-12?=\r\n\r\nhi\r\n",
			rules.Outcome{Matched: []string{"jira"}, Folders: []string{"Jira"}, Keep: true, Keywords: []string{"Work"}}},
		{"From: a@b.example\r\nSubject: big\r\n\r\n" + string(make([]byte, 2000)),
			rules.Outcome{Matched: []string{"big"}, Folders: []string{"Trash"}}},
		{"From: a@b.example\r\nSubject: nothing\r\n\r\nhi\r\n", rules.Outcome{Keep: true}},
	}
	for i, c := range cases {
		got := s.Evaluate(rules.NewMessage([]byte(c.raw), 0), "INBOX", rules.CompileOptions{})
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("case %d:\n got %+v\nwant %+v", i, got, c.want)
		}
	}
}

// TestApplyFolderQueuesBatchedOps runs rules over 10,000 stored messages and
// checks the moves are queued as a few batched operations, the flags before
// them, and every message marked applied.
func TestApplyFolderQueuesBatchedOps(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "mail.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct, _ := st.Account(ctx, "work")
	inbox, _ := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "INBOX", RawName: "INBOX", Delim: "/", Role: "inbox"})
	clients, _ := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "客户", RawName: "&W6JiNw-", Delim: "/"})
	junk, _ := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "垃圾邮件", RawName: "&V4NXPpCuTvY-", Delim: "/", Role: "junk"})
	if err := st.SetFolderState(ctx, inbox, store.FolderState{UIDValidity: 42}); err != nil {
		t.Fatal(err)
	}
	var msgs []store.Message
	for i := range 10000 {
		from := "a@client.example"
		if i%10 == 0 {
			from = "x@spam.example"
		}
		msgs = append(msgs, store.Message{UID: store.UID(i + 1), MsgID: fmt.Sprintf("m%d@test", i),
			From: store.Address{Addr: from}, Subject: fmt.Sprintf("报价 %d", i), Size: 100})
	}
	if err := st.PutHeaders(ctx, inbox, msgs); err != nil {
		t.Fatal(err)
	}
	set := rules.Set{Rules: []rules.Rule{{Name: "q", Conditions: []rules.Condition{{Field: rules.FieldSubject, Match: rules.MatchContains, Value: "报价"}},
		Actions: []rules.Action{{Kind: rules.ActionRead}, {Kind: rules.ActionMove, Arg: "客户"}, {Kind: rules.ActionMove, Arg: "Nowhere"}}}},
		Block: []string{"@spam.example"}}
	if err := rules.SaveLocal(ctx, st, acct, set); err != nil {
		t.Fatal(err)
	}
	loaded, err := rules.LoadLocal(ctx, st, acct)
	if err != nil || len(loaded.Rules) != 1 {
		t.Fatalf("load: %+v %v", loaded, err)
	}
	f, _ := st.Folder(ctx, inbox)
	res, err := rules.ApplyFolder(ctx, st, f, loaded)
	if err != nil {
		t.Fatal(err)
	}
	// "Nowhere" does not exist: it is made here and its CREATE queued
	// before the operations that file into it.
	if res.Examined != 10000 || res.Matched != 10000 || res.Moved != 10000 || res.Copied != 9000 || res.Flagged != 9000 || len(res.Missing) != 0 {
		t.Fatalf("result %+v", res)
	}
	nowhere := store.FolderID(0)
	if all, _ := st.Folders(ctx, acct); len(all) == 4 {
		for _, fo := range all {
			if fo.Name == "Nowhere" && fo.Delim == "/" {
				nowhere = fo.ID
			}
		}
	}
	if nowhere == 0 {
		t.Fatal("the missing folder was not made here")
	}
	ops, err := st.PendingOps(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, op := range ops {
		kinds = append(kinds, fmt.Sprintf("%d:%d->%d:%d", op.Kind, op.Folder, op.Target, len(op.UIDs)))
	}
	want := []string{fmt.Sprintf("%d:%d->0:0", store.OpCreateFolder, nowhere)}
	for range 9 { // \Seen on the 9,000 that are not blocked, 1,000 UIDs per operation
		want = append(want, fmt.Sprintf("%d:%d->0:1000", store.OpFlagsAdd, inbox))
	}
	for range 9 { // copies first, then the moves
		want = append(want, fmt.Sprintf("%d:%d->%d:1000", store.OpCopy, inbox, nowhere))
	}
	for range 9 {
		want = append(want, fmt.Sprintf("%d:%d->%d:1000", store.OpMove, inbox, clients))
	}
	want = append(want, fmt.Sprintf("%d:%d->%d:1000", store.OpMove, inbox, junk))
	if !slices.Equal(kinds, want) {
		t.Fatalf("ops\n got %v\nwant %v", kinds, want)
	}
	uids := make([]store.UID, 10000)
	for i := range uids {
		uids[i] = store.UID(i + 1)
	}
	applied, _ := st.RulesApplied(ctx, inbox, 42, uids)
	if len(applied) != 10000 {
		t.Fatalf("applied %d", len(applied))
	}
	// The moved messages left INBOX locally: a second run finds nothing.
	res, err = rules.ApplyFolder(ctx, st, f, loaded)
	if err != nil || res.Examined != 0 {
		t.Fatalf("second run: %+v %v", res, err)
	}
}
