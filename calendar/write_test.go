package calendar

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
)

// Some Xandikos versions answer a failed If-Match on PUT with a 207 whose
// response carries the 412 (the Xandikos in testenv answers a plain 412,
// covered by TestSyncXandikos); a reader of the outer status alone would
// think the write succeeded. No real peer here shows it, so a scripted
// answer stands in.
func TestPutPreconditionInsideMultistatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusMultiStatus)
		w.Write([]byte(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:"><d:response>` +
			`<d:href>` + r.URL.Path + `</d:href><d:status>HTTP/1.1 412 Precondition Failed</d:status>` +
			`</d:response></d:multistatus>`))
	}))
	defer srv.Close()
	c := NewClient(ClientOptions{})
	_, err := c.Put(t.Context(), srv.URL+"/cal/a.ics", `"1"`, "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
	if !errors.Is(err, ErrPrecondition) {
		t.Fatalf("PUT answered 207/412: %v, want ErrPrecondition", err)
	}
	if err := c.Delete(t.Context(), srv.URL+"/cal/a.ics", `"1"`); !errors.Is(err, ErrPrecondition) {
		t.Fatalf("DELETE answered 207/412: %v, want ErrPrecondition", err)
	}
}

// A redirect keeps the method and body, and credentials stay with the
// host they were given for.
func TestRedirectKeepsMethodAndCredentialsStayHome(t *testing.T) {
	var gotMethod, gotAuth string
	away := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotMethod = r.Method
		_, _, ok := r.BasicAuth()
		if ok {
			gotAuth = "sent"
		}
		w.WriteHeader(http.StatusMultiStatus)
		w.Write([]byte(`<d:multistatus xmlns:d="DAV:"/>`))
	}))
	defer away.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, away.URL+"/dav/", http.StatusMovedPermanently)
	}))
	defer home.Close()
	c := NewClient(ClientOptions{Username: "u", Password: "p"})
	if _, _, err := c.xmlDo(t.Context(), "PROPFIND", home.URL+"/.well-known/caldav", "0", "<x/>"); err != nil {
		t.Fatal(err)
	}
	if gotMethod != "PROPFIND" || gotAuth != "" {
		t.Fatalf("after redirect: method %q, credentials %q", gotMethod, gotAuth)
	}
}
