package store

import (
	"context"
	"strings"
	"testing"
)

// TestPrefetchPlans proves PutHeaders' batch lookups walk the batch and
// look each entry up by index, whatever the table holds: a plan scanning
// messages per batch made a second pass over a folder take seconds.
func TestPrefetchPlans(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	must(t, f.s.PutHeaders(ctx, f.inbox, genMessages(50, 1)))
	must(t, analyze(f.s))
	for name, q := range map[string]string{"existing": prefetchExisting, "live": prefetchLive, "threads": prefetchThreads} {
		p := plan(t, f.s, q, 1, `[]`)
		lines := strings.Split(p, "\n")
		if !strings.HasPrefix(lines[0], "SCAN j VIRTUAL TABLE") {
			t.Errorf("%s: the batch is not the outer loop:\n%s", name, p)
		}
		for _, l := range lines[1:] {
			if !strings.HasPrefix(l, "SEARCH") || !strings.Contains(l, "INDEX") && !strings.Contains(l, "PRIMARY KEY") {
				t.Errorf("%s: scans a table:\n%s", name, p)
			}
		}
	}
}
