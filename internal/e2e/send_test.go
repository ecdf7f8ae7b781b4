package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/magpie-mail/magpie/internal/demo"
)

// TestDemoSendAndReply writes a message in the demo with w, sends it after
// the review, finds it in the member's Sent and — delivered by the demo's
// SMTP server — in the business mailbox's INBOX; replies to it from there
// and checks, in the wire trace, that the reply's In-Reply-To names the
// message sent.
func TestDemoSendAndReply(t *testing.T) {
	needTmux(t)
	bin := build(t)
	trace := filepath.Join(t.TempDir(), "wire.log")
	term := start(t, "en_US.UTF-8", bin+" --demo --trace "+trace)
	term.waitText("公司邮箱搬家方案")

	subject := fmt.Sprintf("E2E 发信测试 %d", time.Now().UnixNano()%100000)
	term.keys("w")
	term.waitText("New message")
	term.keys(demo.SalesEmail, "Tab", "Tab", "Tab", subject, "Tab", "Tab", "Tab", "你好，这是端到端测试。")
	term.keys("C-x")
	term.waitText("Review before sending")
	term.keys("y")
	// The composer closes. (The status bar's "Sent as" may be hidden behind
	// sync progress: the folders below are the proof.)
	closed := func(s string) bool {
		return strings.Contains(s, "Magpie  ") && !strings.Contains(s, "Review before sending")
	}
	term.waitFor("the composer closed", closed)

	// In the member's Sent (the copy Magpie filed) ...
	term.keys("c")
	term.waitText("Jump to which folder?")
	term.keys("work / Sent", "Enter")
	term.waitFor("the message in work / Sent", func(s string) bool {
		return strings.Contains(s, "work / Sent") && strings.Contains(s, subject)
	})
	// ... and delivered to the business mailbox.
	term.keys("c")
	term.waitText("Jump to which folder?")
	term.keys("sales / Inbox", "Enter")
	term.waitFor("the message in sales / Inbox", func(s string) bool {
		return strings.Contains(s, "sales / Inbox") && strings.Contains(s, subject)
	})

	// Reply from the business mailbox: the newest message is the one sent.
	term.keys("r")
	term.waitText("Re: " + subject)
	term.keys("收到，谢谢。")
	term.keys("C-x")
	term.waitText("Review before sending")
	term.keys("y")
	term.waitFor("the composer closed", closed)
	term.keys("c")
	term.waitText("Jump to which folder?")
	term.keys("work / Inbox", "Enter")
	term.waitFor("the reply in work / Inbox", func(s string) bool {
		return strings.Contains(s, "work / Inbox") && strings.Contains(s, "Re: "+subject)
	})

	// The outbox is empty: everything left.
	term.keys("O")
	term.waitText("The outbox is empty")
	term.keys("Escape", "q")
	term.waitFor("the shell back after quitting", func(string) bool {
		b, _ := os.ReadFile(term.exit)
		return strings.TrimSpace(string(b)) == "EXIT:0"
	})

	// What the client wrote: the reply's In-Reply-To is a Message-ID it
	// wrote before (the message sent), and each Sent copy went up once.
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	wire := string(b)
	ids := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^C: Message-I[Dd]: <([^>]+)>`).FindAllStringSubmatch(wire, -1) {
		ids[m[1]]++
	}
	irt := regexp.MustCompile(`(?m)^C: In-Reply-To: <([^>]+)>`).FindAllStringSubmatch(wire, -1)
	if len(irt) == 0 {
		t.Fatalf("no In-Reply-To written; client Message-IDs %v", ids)
	}
	orig := irt[len(irt)-1][1]
	if ids[orig] != 2 { // once in the SMTP DATA, once in the Sent copy's APPEND
		t.Fatalf("In-Reply-To <%s> written %d times as a Message-ID (want the sent message and its one Sent copy): %v", orig, ids[orig], ids)
	}
}
