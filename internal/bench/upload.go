// Package bench holds the helpers of Magpie's end-to-end benchmarks (run by
// `make bench`, never by `make test`): uploading a corpus to an IMAP server,
// running a client under /usr/bin/time, configuring mbsync as the reference,
// and writing docs/benchmarks.md.
//
// Nothing here asserts timings; the benchmark prints and records them.
package bench

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/magpie-mail/magpie/internal/corpus"
)

// Login is where and as whom to upload.
type Login struct {
	Addr           string // host:port of a plain IMAP listener (loopback only)
	User, Password string
}

// UploadStats is what Upload did.
type UploadStats struct {
	Messages int
	Bytes    int64
	Folders  int
}

// dial opens a logged-in plain IMAP connection. Plain text is acceptable
// only because the server is on loopback.
func dial(l Login) (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(l.Addr, nil)
	if err != nil {
		return nil, fmt.Errorf("bench: dial %s: %w", l.Addr, err)
	}
	if err := c.Login(l.User, l.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("bench: login %s: %w", l.User, err)
	}
	return c, nil
}

// Touch logs in and lists the folders, so that the server creates the
// user's mail directory (and its auto-created folders).
func Touch(l Login) error {
	c, err := dial(l)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.List("", "*", nil).Collect(); err != nil {
		return fmt.Errorf("bench: list: %w", err)
	}
	return c.Logout().Wait()
}

// Upload creates the corpus's folders and APPENDs (RFC 3501 §6.3.11) every
// message of opts with its flags and INTERNALDATE, over conns connections
// in parallel, one APPEND at a time on each. It blocks until done or the
// first failure; ctx stops it between messages.
func Upload(ctx context.Context, l Login, opts corpus.Options, conns int) (UploadStats, error) {
	var st UploadStats
	c, err := dial(l)
	if err != nil {
		return st, err
	}
	for _, f := range corpus.Folders() {
		if f.Name == "INBOX" {
			continue
		}
		err := c.Create(f.Name, nil).Wait()
		var ie *imap.Error
		if err != nil && !(errors.As(err, &ie) && ie.Code == imap.ResponseCodeAlreadyExists) {
			c.Close()
			return st, fmt.Errorf("bench: create %q: %w", f.Name, err)
		}
		st.Folders++
	}
	c.Close()

	conns = max(conns, 1)
	work := make(chan corpus.Message, conns*4)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
		n, bytes atomic.Int64
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err; cancel() })
	}
	for range conns {
		wg.Go(func() {
			c, err := dial(l)
			if err != nil {
				fail(err)
				return
			}
			defer c.Close()
			for m := range work {
				if ctx.Err() != nil {
					continue // drain
				}
				if err := appendOne(c, m); err != nil {
					fail(err)
					continue
				}
				n.Add(1)
				bytes.Add(int64(len(m.Raw)))
			}
			_ = c.Logout().Wait()
		})
	}
	genErr := corpus.Each(opts, func(m corpus.Message) error {
		select {
		case work <- m:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(work)
	wg.Wait()
	st.Messages, st.Bytes = int(n.Load()), bytes.Load()
	if firstErr != nil {
		return st, firstErr
	}
	if genErr != nil {
		return st, fmt.Errorf("bench: corpus: %w", genErr)
	}
	return st, nil
}

func appendOne(c *imapclient.Client, m corpus.Message) error {
	flags := make([]imap.Flag, 0, len(m.Flags))
	for _, f := range m.Flags {
		if strings.EqualFold(f, `\Recent`) {
			continue // only the server sets \Recent
		}
		flags = append(flags, imap.Flag(f))
	}
	cmd := c.Append(m.Folder, int64(len(m.Raw)), &imap.AppendOptions{Flags: flags, Time: m.InternalDate})
	if _, err := cmd.Write(m.Raw); err != nil {
		return fmt.Errorf("bench: append to %q: %w", m.Folder, err)
	}
	if err := cmd.Close(); err != nil {
		return fmt.Errorf("bench: append to %q: %w", m.Folder, err)
	}
	if _, err := cmd.Wait(); err != nil {
		return fmt.Errorf("bench: append to %q: %w", m.Folder, err)
	}
	return nil
}
