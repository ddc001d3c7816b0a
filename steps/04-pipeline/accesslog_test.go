package main

import (
	"net/http/httptest"
	"testing"
)

// TestRequestPath: the access log's path is the one the client asked for,
// whatever prefix a urlmap stripped since, without its query, and from an
// absolute-form target, without the host or the user and password in it.
func TestRequestPath(t *testing.T) {
	for target, want := range map[string]string{
		"/v1/servers?limit=1":                  "/v1/servers",
		"/a%20b":                               "/a%20b",
		"*":                                    "*",
		"http://example.com/v1?x=1":            "/v1",
		"http://admin:s3cret@example.com/v1/x": "/v1/x",
		"http://admin:s3cret@example.com":      "/",
		"https://example.com:8443/healthcheck": "/healthcheck",
		"/admin/delete/http://x/innocent":      "/admin/delete/http://x/innocent",
		"/v1/http://evil/?q=1":                 "/v1/http://evil/",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RequestURI = target
		r.URL.Path = "/stripped" // what a urlmap left
		if got := requestPath(r); got != want {
			t.Errorf("requestPath for target %q = %q, want %q", target, got, want)
		}
	}
}
