// Package benchstore fills a store with the synthetic folder the TUI
// benchmarks read: n messages in the INBOX of account "bench", bilingual
// senders and subjects, one every ten minutes, a third unread, one in ten
// with an attachment. The in-process benchmarks (ui/app) and the tmux ones
// (internal/e2e) read the same folder, so their figures compare.
package benchstore

import (
	"context"
	"fmt"
	"time"

	"github.com/magpie-mail/magpie/store"
)

// Account is the account the messages are filed under.
const Account = "bench"

// Fill adds messages 1 to n to the INBOX of Account in st, in batches of
// 5,000 (one transaction each).
func Fill(ctx context.Context, st *store.Store, n int) error {
	acct, err := st.Account(ctx, Account)
	if err != nil {
		return err
	}
	inbox, err := st.UpsertFolder(ctx, store.Folder{Account: acct, Name: "INBOX", RawName: "INBOX", Delim: "/", Role: "inbox"})
	if err != nil {
		return err
	}
	names := []string{"张伟", "王芳", "Emily Carter", "李娜", "James Liu", "财务部", "系统通知", "林志明"}
	subjects := []string{"关于第二季度销售报告的说明", "Quarterly report", "会议纪要：项目进度", "Invoice 2025-", "邮箱搬家安排", "Re: 合同草案"}
	base := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	for lo := 0; lo < n; lo += 5000 {
		var batch []store.Message
		for i := lo; i < min(lo+5000, n); i++ {
			batch = append(batch, store.Message{UID: store.UID(i + 1), MsgID: fmt.Sprintf("b%d@bench", i),
				From:    store.Address{Name: names[i%len(names)], Addr: fmt.Sprintf("u%d@example.cn", i%97)},
				To:      []store.Address{{Name: "Bench", Addr: "bench@example.com"}},
				Subject: fmt.Sprintf("%s %d", subjects[i%len(subjects)], i), Date: base.Add(-time.Duration(n-i) * 10 * time.Minute),
				Size: int64(2000 + i%5000), Flags: store.Flags(min(i%3, 1)) & store.FlagSeen, HasAttachment: i%10 == 0})
		}
		if err := st.PutHeaders(ctx, inbox, batch); err != nil {
			return err
		}
	}
	return nil
}
