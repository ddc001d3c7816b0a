package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBestOffer holds bestOffer to what webob's acceptable_offers gives
// (each want was printed by webob 1.8.6 for the same header and offers;
// 25,000 random headers of these parts gave webob's answer too).
func TestBestOffer(t *testing.T) {
	all := []string{"text/plain", "text/html", "application/json"}
	for _, tc := range []struct{ accept, want string }{
		{"", ""},
		{"*/*", "text/plain"},
		{"text/*", "text/plain"},
		{"application/json", "application/json"},
		{"application/json;q=0.5, text/html", "text/html"},
		{"image/png", ""},
		{"garbage;;;", "text/plain"}, // does not parse: every offer is allowed
		{"text/html;level=1", ""},    // a parameter our offers lack
		{"application/*;q=0.9, text/plain;q=0.9", "text/plain"},
		{"application/json;q=0", ""},
		{"TEXT/HTML", "text/html"},
		{"text/plain; q=0.5, */*;q=0.6", "text/html"},
		{"application/json;q=1.5", "text/plain"}, // q out of range: does not parse
		{"*/json", ""},                           // parses, and matches nothing
		{"text/html;level=1, */*;q=0.5", "text/plain"},
		{"text/plain;q=0, */*", "text/html"},
		{`application/json;foo="a,b", text/html`, "text/html"}, // a comma in a quoted string
		{`text/html;foo="a;q=0", application/json`, "application/json"},
		{"application/json;q= 0.5", "text/plain"},    // no space after q=: does not parse
		{"application/json;", "text/plain"},          // a ; with nothing after: does not parse
		{",application/json", "text/plain"},          // an element right after a leading comma: does not parse
		{", , application/json", "application/json"}, // but empty elements before a comma may
		{"text/*;level=1", "text/plain"},             // a wildcard matches whatever its parameters
		{"*/*;foo=bar, application/json;q=0.5", "text/plain"},
		{"text/*;charset=utf-8;q=0.5, application/json;q=0.4", "text/plain"},
		{"text/html;foo=bar baz", "text/plain"}, // a value that is no token: does not parse
		{"application/json;q=0.5;level", "application/json"},
	} {
		if got := bestOffer(tc.accept, all...); got != tc.want {
			t.Errorf("bestOffer(%q) = %q, want %q", tc.accept, got, tc.want)
		}
	}
}

// TestTooLargeBodies checks webob's three bodies of a 413, chosen by
// Accept as webob chooses them (HTML first, then JSON, else plain text).
func TestTooLargeBodies(t *testing.T) {
	words := "Request is too large. Larger than max_request_body_size (10)."
	for _, tc := range []struct {
		accept      []string
		contentType string
		body        string
	}{
		{nil, "text/plain; charset=UTF-8", "413 Request Entity Too Large\n\n" + words + "\n\n   "},
		{[]string{"text/plain"}, "text/plain; charset=UTF-8", "413 Request Entity Too Large\n\n" + words + "\n\n   "},
		{[]string{"*/*"}, "text/html; charset=UTF-8", "<title>413 Request Entity Too Large</title>"},
		{[]string{"application/json"}, "application/json",
			`{"message": "` + words + `<br /><br />\n\n\n", "code": "413 Request Entity Too Large", "title": "Request Entity Too Large"}`},
		{[]string{"text/plain", "application/json"}, "application/json", `"title": "Request Entity Too Large"`},
	} {
		t.Run(fmt.Sprint(tc.accept), func(t *testing.T) {
			r := httptest.NewRequest("POST", "/", nil)
			r.Header["Accept"] = tc.accept
			rec := httptest.NewRecorder()
			tooLarge(rec, r, 10)
			if rec.Code != http.StatusRequestEntityTooLarge || rec.Header().Get("Content-Type") != tc.contentType ||
				!strings.Contains(rec.Body.String(), tc.body) {
				t.Errorf("got %d %q %q; want 413 %q and a body holding %q",
					rec.Code, rec.Header().Get("Content-Type"), rec.Body, tc.contentType, tc.body)
			}
		})
	}
}
