package quirkserver

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestGreetingAndCapabilities(t *testing.T) {
	for _, p := range Profiles() {
		t.Run(string(p), func(t *testing.T) {
			srv, _ := StartTest(t, p, nil)
			rc, greeting := dialRaw(t, srv.Addr())
			if !strings.HasPrefix(greeting, "* OK ") {
				t.Fatalf("greeting %q", greeting)
			}
			hasCode := strings.Contains(greeting, "[CAPABILITY ")
			switch p {
			case NetEase, Coremail:
				if hasCode {
					t.Errorf("NetEase greeting must carry no capabilities: %q", greeting)
				}
			case Plain:
				if !hasCode {
					t.Errorf("plain greeting should be the backend's: %q", greeting)
				}
			default:
				if want := "[CAPABILITY " + strings.Join(srv.Caps(), " ") + "]"; !strings.Contains(greeting, want) {
					t.Errorf("greeting %q lacks %q", greeting, want)
				}
			}
			untagged, done := rc.cmd("c1", "CAPABILITY")
			if !strings.HasPrefix(done, "c1 OK") || len(untagged) != 1 {
				t.Fatalf("CAPABILITY: %q %q", untagged, done)
			}
			if p != Plain && untagged[0] != "* CAPABILITY "+strings.Join(srv.Caps(), " ") {
				t.Errorf("CAPABILITY = %q, want %v", untagged[0], srv.Caps())
			}
			// The LOGIN completion's [CAPABILITY] code is rewritten too.
			_, done = rc.cmd("c2", `LOGIN "`+TestUser+`" "`+TestPassword+`"`)
			if !strings.HasPrefix(done, "c2 OK") {
				t.Fatalf("LOGIN: %q", done)
			}
			if p != Plain && strings.Contains(done, "[CAPABILITY") &&
				!strings.Contains(done, "[CAPABILITY "+strings.Join(srv.Caps(), " ")+"]") {
				t.Errorf("LOGIN OK carries backend capabilities: %q", done)
			}
		})
	}
}

func TestProfileCapabilitySets(t *testing.T) {
	want := map[Profile][]string{
		Exmail: {"IMAP4rev1", "ID", "IDLE", "UIDPLUS", "NAMESPACE", "AUTH=LOGIN", "AUTH=PLAIN"},
		Aliyun: {"IMAP4rev1", "IDLE", "XLIST", "UIDPLUS", "ID", "SASL-IR", "AUTH=PLAIN", "AUTH=LOGIN"},
	}
	for p, caps := range want {
		srv, _ := StartTest(t, p, nil)
		c := dialClient(t, srv.Addr(), nil)
		got, err := c.Capability().Wait()
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range caps {
			if !got.Has(imap.Cap(cp)) {
				t.Errorf("%s: missing %s", p, cp)
			}
		}
		if len(got) != len(caps) {
			t.Errorf("%s: caps %v, want exactly %v", p, got, caps)
		}
	}
	for _, p := range []Profile{NetEase, Coremail, Exmail, Aliyun, P263} {
		srv, _ := StartTest(t, p, nil)
		for _, forbidden := range []string{"MOVE", "CONDSTORE", "STARTTLS"} {
			if slices.Contains(srv.Caps(), forbidden) {
				t.Errorf("%s advertises %s", p, forbidden)
			}
		}
	}
}

func TestNetEaseSelectNeedsID(t *testing.T) {
	for _, p := range []Profile{NetEase, Coremail} {
		t.Run(string(p)+"/after-login", func(t *testing.T) {
			srv, _ := StartTest(t, p, nil)
			c := dialClient(t, srv.Addr(), nil)
			for _, examine := range []bool{false, true} {
				_, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: examine}).Wait()
				ie := statusErr(t, err)
				if ie.Type != imap.StatusResponseTypeNo || !strings.HasSuffix(ie.Text, UnsafeLoginText) {
					t.Fatalf("select before ID: %v", err)
				}
			}
			sendID(t, c)
			if _, err := c.Select("INBOX", nil).Wait(); err != nil {
				t.Fatalf("select after ID: %v", err)
			}
			ids := srv.Stats().IDs
			if len(ids) != 1 || ids[0]["name"] != "magpie" || ids[0]["version"] != "0.1" {
				t.Errorf("IDs seen: %v", ids)
			}
		})
		t.Run(string(p)+"/before-login", func(t *testing.T) {
			srv, _ := StartTest(t, p, nil)
			rc, _ := dialRaw(t, srv.Addr())
			untagged, done := rc.cmd("i1", `ID ("name" "magpie" "version" "0.1")`)
			if done != "i1 OK ID completed" || len(untagged) != 1 || !strings.HasPrefix(untagged[0], `* ID ("name" "Coremail Imap"`) {
				t.Fatalf("ID: %q %q", untagged, done)
			}
			rc.login()
			if _, done := rc.cmd("s1", "SELECT INBOX"); !strings.HasPrefix(done, "s1 OK") {
				t.Fatalf("select after pre-login ID: %q", done)
			}
		})
	}
}

func TestNetEaseSelectRefusedText(t *testing.T) {
	srv, _ := StartTest(t, NetEase, nil)
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	if _, done := rc.cmd("s1", "SELECT INBOX"); done != "s1 NO SELECT "+UnsafeLoginText {
		t.Fatalf("got %q", done)
	}
}

func TestNetEaseMalformedID(t *testing.T) {
	srv, _ := StartTest(t, NetEase, nil)
	rc, _ := dialRaw(t, srv.Addr())
	for i, args := range []string{
		"NIL",
		`("name")`,
		`(name "magpie")`,
		`("name" NIL)`,
		`()`,
		`"name" "magpie"`,
		"{4}\r\nname",
	} {
		tag := "b" + string(rune('a'+i))
		if strings.Contains(args, "{4}") {
			rc.send(tag + " ID (" + args[:5])
			if l := rc.line(); !strings.HasPrefix(l, "+") {
				t.Fatalf("no continuation: %q", l)
			}
			rc.send("name \"magpie\")\r\n")
			if _, done := rc.until(tag); done != tag+" BAD "+ParseErrorText {
				t.Errorf("ID literal form: %q", done)
			}
			continue
		}
		if _, done := rc.cmd(tag, "ID "+args); done != tag+" BAD "+ParseErrorText {
			t.Errorf("ID %s: %q", args, done)
		}
	}
	rc.login()
	if _, done := rc.cmd("s1", "SELECT INBOX"); !strings.HasPrefix(done, "s1 NO") {
		t.Errorf("a malformed ID must not unlock SELECT: %q", done)
	}
	if n := len(srv.Stats().IDs); n != 0 {
		t.Errorf("malformed IDs recorded: %d", n)
	}
}

func TestCoremailEnableNeverAnswered(t *testing.T) {
	srv, _ := StartTest(t, Coremail, nil)
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	rc.send("e1 ENABLE CONDSTORE\r\n")
	rc.send("n1 NOOP\r\n")
	rc.expectSilence(300 * time.Millisecond)
	if got := srv.Stats().Commands["ENABLE"]; got != 1 {
		t.Errorf("ENABLE count %d", got)
	}
	// NetEase proper does not advertise ENABLE and refuses it.
	srv2, _ := StartTest(t, NetEase, nil)
	rc2, _ := dialRaw(t, srv2.Addr())
	rc2.login()
	if _, done := rc2.cmd("e1", "ENABLE CONDSTORE"); !strings.HasPrefix(done, "e1 BAD") {
		t.Errorf("netease ENABLE: %q", done)
	}
}

func TestExmailSequenceRanges(t *testing.T) {
	srv, b := StartTest(t, Exmail, nil)
	seed(t, b, "INBOX", 3)
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	if _, done := rc.cmd("s", "SELECT INBOX"); !strings.HasPrefix(done, "s OK") {
		t.Fatal(done)
	}
	for cmd, ok := range map[string]bool{
		"FETCH 1:3 FLAGS":               true,
		"FETCH 3:1 FLAGS":               false,
		"FETCH 1,3:2 FLAGS":             false,
		"UID FETCH 1:* FLAGS":           true,
		"UID FETCH *:1 FLAGS":           false,
		"UID STORE 3:1 +FLAGS (\\Seen)": false,
		"UID SEARCH UID 3:1":            false,
		"COPY 2:1 Trash":                false,
		"UID SEARCH UID 1:3":            true,
	} {
		_, done := rc.cmd("t", cmd)
		if ok && !strings.HasPrefix(done, "t OK") {
			t.Errorf("%s: %q", cmd, done)
		}
		if !ok && done != "t BAD Invalid sequence set" {
			t.Errorf("%s: %q", cmd, done)
		}
	}
}

func TestExmailAppendLimit(t *testing.T) {
	srv, b := StartTestOptions(t, Options{Profile: Exmail, AppendLimit: 1024}, nil)
	c := dialClient(t, srv.Addr(), nil)
	big := strings.Repeat("x", 2000)
	msg := "Subject: big\r\n\r\n" + big + "\r\n"
	cmd := c.Append("INBOX", int64(len(msg)), nil)
	cmd.Write([]byte(msg))
	cmd.Close()
	_, err := cmd.Wait()
	ie := statusErr(t, err)
	if ie.Type != imap.StatusResponseTypeNo || ie.Code != "" || ie.Text != ExmailTooBigText(int64(len(msg))) {
		t.Fatalf("oversized append: %+v", ie)
	}
	// go-imap's client cannot recover from a literal refused at the
	// continuation: it closes the connection. Callers must reconnect.
	select {
	case <-c.Closed():
	case <-time.After(ioWait):
		t.Fatal("client still open after a refused literal")
	}
	c = dialClient(t, srv.Addr(), nil)
	small := "Subject: small\r\n\r\nhi\r\n"
	cmd = c.Append("INBOX", int64(len(small)), nil)
	cmd.Write([]byte(small))
	cmd.Close()
	if _, err := cmd.Wait(); err != nil {
		t.Fatalf("small append: %v", err)
	}
	// A non-synchronising literal is read to its end, then refused; the
	// connection stays usable.
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	rc.send("a1 APPEND INBOX {2000+}\r\n" + big + "\r\n")
	if _, done := rc.until("a1"); done != "a1 NO "+ExmailTooBigText(2000) {
		t.Fatalf("{N+} append: %q", done)
	}
	if _, done := rc.cmd("n1", "NOOP"); !strings.HasPrefix(done, "n1 OK") {
		t.Fatalf("after refused literal: %q", done)
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || *st.NumMessages != 1 {
		t.Fatalf("INBOX should hold only the small message: %v %v", st, err)
	}
	_ = b
}

func TestExmailSearchAndUnadvertised(t *testing.T) {
	srv, b := StartTest(t, Exmail, nil)
	seed(t, b, "INBOX", 2)
	c := dialClient(t, srv.Addr(), nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	compound := &imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}, NotFlag: []imap.Flag{imap.FlagDeleted}}
	_, err := c.UIDSearch(compound, nil).Wait()
	if statusErr(t, err).Type != imap.StatusResponseTypeBad {
		t.Errorf("compound UID SEARCH: %v", err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil || len(data.AllUIDs()) != 2 {
		t.Errorf("single-key UID SEARCH: %v %v", data, err)
	}
	rc, _ := dialRaw(t, srv.Addr())
	rc.login()
	rc.cmd("s", "SELECT INBOX")
	for _, cmd := range []string{
		"UID SEARCH (ALL)", "SEARCH OR SEEN DELETED", "SEARCH NOT SEEN",
		"UID MOVE 1 Trash", "MOVE 1 Trash", "ENABLE CONDSTORE",
		"FETCH 1:* (FLAGS) (CHANGEDSINCE 1)", `LIST "" "*" RETURN (SPECIAL-USE)`,
		`LIST (SUBSCRIBED) "" "*"`, "SELECT INBOX (CONDSTORE)", "XLIST \"\" \"*\"",
	} {
		if _, done := rc.cmd("x", cmd); !strings.HasPrefix(done, "x BAD") {
			t.Errorf("%s: %q", cmd, done)
		}
	}
	if _, done := rc.cmd("x", "UID SEARCH ALL"); !strings.HasPrefix(done, "x OK") {
		t.Errorf("UID SEARCH ALL: %q", done)
	}
}

func TestExmailListHasNoSpecialUse(t *testing.T) {
	srv, _ := StartTest(t, Exmail, nil)
	c := dialClient(t, srv.Addr(), nil)
	boxes, err := c.List("", "*", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, mb := range boxes {
		names = append(names, mb.Mailbox)
		for _, a := range mb.Attrs {
			if isSpecialUseAttr(string(a)) {
				t.Errorf("%s has %s", mb.Mailbox, a)
			}
		}
	}
	slices.Sort(names)
	want := ExmailFolders.Names()
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("folders %v, want %v", names, want)
	}
}

func TestListRolesByProfile(t *testing.T) {
	// NetEase advertises SPECIAL-USE: roles appear, named by folder.
	srv, _ := StartTest(t, NetEase, nil)
	c := dialClient(t, srv.Addr(), nil)
	boxes, err := c.List("", "*", &imap.ListOptions{ReturnSpecialUse: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]imap.MailboxAttr{}
	for _, mb := range boxes {
		for _, a := range mb.Attrs {
			if isSpecialUseAttr(string(a)) {
				roles[mb.Mailbox] = a
			}
		}
	}
	want := map[string]imap.MailboxAttr{"已发送": imap.MailboxAttrSent, "草稿箱": imap.MailboxAttrDrafts,
		"已删除": imap.MailboxAttrTrash, "垃圾邮件": imap.MailboxAttrJunk}
	for name, role := range want {
		if roles[name] != role {
			t.Errorf("%s: role %q, want %q (all: %v)", name, roles[name], role, roles)
		}
	}
	if _, ok := roles["病毒文件夹"]; ok {
		t.Errorf("病毒文件夹 has a role")
	}
}

func TestStripSpecialUseRewrite(t *testing.T) {
	// imapmemserver stores no roles, so exercise stripping on a response
	// as Dovecot would send it.
	srv, _ := StartTest(t, Exmail, nil)
	c := newConn(srv, nil, 0)
	in := []part{{line: []byte(`* LIST (\HasNoChildren \Sent) "/" "Sent Items"` + "\r\n")}}
	out := c.rewriteList(in, false)
	if got := string(out[0].line); got != `* LIST (\HasNoChildren) "/" "Sent Items"`+"\r\n" {
		t.Errorf("got %q", got)
	}
	lit := []part{{line: []byte(`* LIST (\Drafts) "/" {6}` + "\r\n"), lit: []byte("Drafts"), sync: true}, {line: []byte("\r\n")}}
	out = c.rewriteList(lit, true)
	if got := string(out[0].line); got != `* XLIST (\Drafts) "/" {6}`+"\r\n" || string(out[0].lit) != "Drafts" {
		t.Errorf("got %q", got)
	}
}
