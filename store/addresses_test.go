package store

import (
	"context"
	"testing"
)

func TestAddressesMostUsedFirst(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	msgs := []Message{
		{UID: 1, From: Address{Name: "王芳", Addr: "wang@x.test"}, To: []Address{{Addr: "me@x.test"}}},
		{UID: 2, From: Address{Addr: "Wang@X.test"}, Cc: []Address{{Name: "李雷", Addr: "li@x.test"}}},
		{UID: 3, From: Address{Name: "王芳", Addr: "wang@x.test"}, To: []Address{{Addr: "me@x.test"}, {Name: "李雷", Addr: "li@x.test"}}},
		{UID: 4, From: Address{Addr: "undisclosed-recipients"}},
	}
	must(t, f.s.PutHeaders(ctx, f.inbox, msgs))
	got, err := f.s.Addresses(ctx, 0)
	must(t, err)
	if len(got) != 3 || got[0].Addr != "wang@x.test" || got[0].Name != "王芳" || got[0].Count != 3 ||
		got[1].Addr != "li@x.test" || got[1].Name != "李雷" || got[2].Addr != "me@x.test" {
		t.Fatalf("addresses %+v", got)
	}
}
