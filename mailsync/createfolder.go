package mailsync

import (
	"context"
	"errors"
	"fmt"

	"github.com/emersion/go-imap/v2"

	"github.com/magpie-mail/magpie/account"
	"github.com/magpie-mail/magpie/store"
)

// createFolder replays a folder made here first (store.OpCreateFolder) with
// CREATE (RFC 3501 §6.3.3), then SUBSCRIBE so that clients showing only
// subscribed folders see it. A folder the server already has is success:
// [ALREADYEXISTS] (RFC 5530), or a plain NO while LIST shows the name (some
// servers give no response code). A folder removed here before the replay
// needs nothing.
func (e *Engine) createFolder(ctx context.Context, c *account.IMAPClient, op store.Op) error {
	f, err := e.st.Folder(ctx, op.Folder)
	if err != nil {
		return nil // gone here first: nothing to create
	}
	err = c.Create(f.RawName, nil).Wait()
	var ie *imap.Error
	if err != nil && errors.As(err, &ie) {
		if ie.Code == imap.ResponseCodeAlreadyExists {
			err = nil
		} else if list, lerr := c.List("", f.RawName, nil).Collect(); lerr == nil && len(list) > 0 {
			err = nil
		} else {
			return fmt.Errorf("mailsync: create %q: %w: %v", f.RawName, ErrConflict, err)
		}
	}
	if err != nil {
		return fmt.Errorf("mailsync: create %q: %w", f.RawName, err)
	}
	_ = c.Subscribe(f.RawName).Wait() // a refusal leaves the folder usable
	return nil
}
