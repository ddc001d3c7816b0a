package paste

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// This file twins Paste's urlmap.py: URLMap, parse_path_expression and
// urlmap_factory.

// scriptNameKey is the context key of the path prefix a urlmap matched.
type scriptNameKey struct{}

// ScriptName returns the prefix urlmaps stripped from r's path: the Go
// twin of WSGI's SCRIPT_NAME, so an app can build links to itself.
func ScriptName(r *http.Request) string {
	s, _ := r.Context().Value(scriptNameKey{}).(string)
	return s
}

// mount is one app of a urlmap: a path prefix, on one domain or on any.
// The resolve stage fills in app, the build stage handler.
type mount struct {
	key     string // the option's key, as written: "/v1", "domain example.com /"
	domain  string // "" for any domain; "example.com" or "example.com:8080"
	path    string // normalised: "/v1", and "" for /
	app     *Context
	handler http.Handler
}

// urlmap sends each request to the first mount whose domain and path
// prefix match, on whole path segments, with the prefix stripped: the Go
// twin of Paste's URLMap. Its mounts are in the order urlmapOrder gives.
type urlmap struct {
	mounts   []mount
	notFound http.Handler
}

func (m *urlmap) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The host, lowercased, and its port, 80 or 443 if it names none, as
	// URLMap reads HTTP_HOST.
	host, port := strings.ToLower(r.Host), "80"
	if r.TLS != nil {
		port = "443"
	}
	if h, p, ok := strings.Cut(host, ":"); ok {
		host, port = h, p
	}
	path := collapseSlashes(r.URL.Path)
	for _, mt := range m.mounts {
		if mt.domain != "" && mt.domain != host && mt.domain != host+":"+port {
			continue
		}
		rest, ok := strings.CutPrefix(path, mt.path)
		if !ok || (rest != "" && rest[0] != '/') {
			continue // /v10 is not under /v1
		}
		if mt.path == "" && path == r.URL.Path {
			mt.handler.ServeHTTP(w, r) // mounted at /: nothing to strip
			return
		}
		if rest == "" {
			rest = "/"
		}
		r2 := r.WithContext(context.WithValue(r.Context(), scriptNameKey{}, ScriptName(r)+mt.path))
		u := *r.URL
		u.Path, u.RawPath = rest, ""
		r2.URL = &u
		mt.handler.ServeHTTP(w, r2)
		return
	}
	m.notFound.ServeHTTP(w, r)
}

// doubleSlashes matches the runs of slashes URLMap turns into one.
var doubleSlashes = regexp.MustCompile(`//+`)

// collapseSlashes turns // into /, as URLMap.normalize_url does.
func collapseSlashes(path string) string {
	if !strings.Contains(path, "//") {
		return path
	}
	return doubleSlashes.ReplaceAllString(path, "/")
}

// URLMap is the factory of a urlmap: the Go twin of Paste's urlmap_factory.
var URLMap = Factory{Kind: Composite, Name: "urlmap", composite: urlmapFactory}

func urlmapFactory(mounts []mount, notFound http.Handler) (http.Handler, error) {
	if notFound == nil {
		notFound = http.NotFoundHandler()
	}
	return &urlmap{mounts, notFound}, nil
}

// domainURL matches the scheme URLMap accepts before a domain.
var domainURL = regexp.MustCompile(`^(http|https)://`)

// urlmapPath reads a urlmap key, "/prefix" or "domain NAME [port N]
// /prefix", into a domain and a path, normalised as /v1 for /v1/ and //v1,
// and "" for /: the twin of parse_path_expression and URLMap.normalize_url.
func urlmapPath(key string) (domain, path string, err error) {
	var port string
	fields := map[string]*string{"domain": &domain, "port": &port}
	for parts := strings.FieldsFunc(key, isPySpace); len(parts) > 0; {
		word := parts[0]
		field, ok := fields[word]
		switch {
		case ok && len(parts) == 1:
			return "", "", fmt.Errorf("%q must be followed by a %s", word, map[string]string{"domain": "domain name", "port": "port number"}[word])
		case ok && *field != "":
			return "", "", fmt.Errorf("%q given twice", word)
		case ok:
			*field, parts = parts[1], parts[2:]
		case path != "":
			return "", "", fmt.Errorf("more than one path: %q and %q", path, word)
		default:
			path, parts = word, parts[1:]
		}
	}
	url := ""
	if domain != "" {
		url = "http://" + domain
	}
	if port != "" {
		if domain == "" {
			return "", "", errors.New("a port needs a domain: domain NAME port N /prefix")
		}
		url += ":" + port
	}
	if path != "" {
		if url != "" {
			url += "/"
		}
		url += path
	}
	domain = ""
	if m := domainURL.FindString(url); m != "" {
		var found bool
		if domain, url, found = strings.Cut(url[len(m):], "/"); found {
			url = "/" + url
		}
	} else if url != "" && url[0] != '/' {
		return "", "", errors.New("is not a path: a urlmap key is a /prefix, or domain NAME /prefix")
	}
	return domain, strings.TrimRight(collapseSlashes(url), "/"), nil
}

// urlmapOrder returns mounts as URLMap keeps them: the last key for each
// domain and path, by domain, any domain last, then the longest path first.
func urlmapOrder(mounts []mount) []mount {
	if len(mounts) < 2 {
		return mounts
	}
	type place struct{ domain, path string }
	latest := map[place]int{}
	for i, m := range mounts {
		latest[place{m.domain, m.path}] = i
	}
	var kept []mount
	for i, m := range mounts {
		if latest[place{m.domain, m.path}] == i {
			kept = append(kept, m)
		}
	}
	// Python sorts any domain as '\xff': after every ASCII domain.
	slices.SortFunc(kept, func(a, b mount) int {
		return cmp.Or(strings.Compare(cmp.Or(a.domain, "\u00ff"), cmp.Or(b.domain, "\u00ff")),
			utf8.RuneCountInString(b.path)-utf8.RuneCountInString(a.path), strings.Compare(a.path, b.path))
	})
	return kept
}
