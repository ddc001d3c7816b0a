package main

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// scriptNameKey is the context key of the path prefix a urlmap matched.
type scriptNameKey struct{}

// scriptName returns the prefix urlmaps stripped from r's path: the Go twin
// of WSGI's SCRIPT_NAME, so an app can build links to itself.
func scriptName(r *http.Request) string {
	s, _ := r.Context().Value(scriptNameKey{}).(string)
	return s
}

// mount is one urlmap entry: a path prefix and the app under it.
type mount struct {
	prefix  string // without a trailing slash; "" for /
	handler http.Handler
}

// urlmap sends each request to the app whose prefix matches its path,
// the longest first, on whole path segments: the Go twin of Paste's
// urlmap. The app sees the path with the prefix stripped, and can read the
// prefix with scriptName. A path that matches nothing gets 404.
type urlmap []mount

func (m urlmap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, mt := range m {
		rest, ok := strings.CutPrefix(r.URL.Path, mt.prefix)
		if !ok || (rest != "" && rest[0] != '/') {
			continue // /v10 is not under /v1
		}
		if mt.prefix == "" {
			mt.handler.ServeHTTP(w, r) // mounted at /: nothing to strip
			return
		}
		if rest == "" {
			rest = "/"
		}
		r2 := r.WithContext(context.WithValue(r.Context(), scriptNameKey{}, scriptName(r)+mt.prefix))
		u := *r.URL
		u.Path, u.RawPath = rest, ""
		r2.URL = &u
		mt.handler.ServeHTTP(w, r2)
		return
	}
	http.NotFound(w, r)
}

// urlmapFactory builds a urlmap from its section's keys, "/prefix = app".
func urlmapFactory(keys map[string]string, load func(key, name string) (http.Handler, error)) (http.Handler, error) {
	prefixes := make([]string, 0, len(keys))
	for key := range keys {
		if !strings.HasPrefix(key, "/") {
			return nil, badOption(key, "is not a path: a urlmap key is a /prefix")
		}
		prefixes = append(prefixes, key)
	}
	if len(prefixes) == 0 {
		return nil, fmt.Errorf("urlmap has no /prefix = app keys")
	}
	sort.Strings(prefixes)
	var m urlmap
	for _, key := range prefixes {
		h, err := load(key, keys[key])
		if err != nil {
			return nil, err
		}
		m = append(m, mount{strings.TrimRight(key, "/"), h})
	}
	// The longest prefix first, so /v1/admin wins over /v1.
	sort.SliceStable(m, func(i, j int) bool { return len(m[i].prefix) > len(m[j].prefix) })
	return m, nil
}
