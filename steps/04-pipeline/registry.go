package main

import (
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// registry is every factory a config can name, found by kind and name:
// the Go twin of the entry points Paste Deploy finds in installed Python
// packages, and of the Python objects paste.*_factory and call: name.
type registry map[registryKey]*factory

// registryKey is what finds a factory: its kind, and the name a config
// gives it, egg:Dist#name or a Python path module:object. The kind is part
// of the key because one name can make two kinds of piece:
// egg:oslo.middleware#healthcheck is an app and a filter.
type registryKey struct {
	kind string // "app", "filter" or "composite"
	ref  string // "egg:oslo_middleware#healthcheck" (see eggRef), or "oslo_middleware:Healthcheck.factory"
}

// ownDist is the distribution step 04's own factories make up. The
// registry knows all of its entry points; of any other distribution, only
// those it twins.
const ownDist = "tutorial"

// newRegistry returns every factory a config can name. Each is listed
// under egg:tutorial#name, and under the names OpenStack configs use for
// the piece it twins: an entry point (egg:oslo.middleware#request_id) or
// a Python path (oslo_middleware:RequestId.factory), so a real
// api-paste.ini builds as far as twins exist. To add your own filter, add
// one entry.
func newRegistry(logger *slog.Logger) registry {
	r := registry{}
	add := func(f factory, refs ...string) {
		for _, ref := range append([]string{"egg:" + ownDist + "#" + f.name}, refs...) {
			r[registryKey{f.kind, canonicalRef(ref)}] = &f
		}
	}

	add(factory{kind: "app", name: "greeting", options: []string{"message"},
		app: func(opts map[string]string) (http.Handler, error) {
			message := greeting
			if m, ok := opts["message"]; ok {
				message = m + "\n" // a config value cannot end with a newline
			}
			return newApp(message), nil
		}})
	add(factory{kind: "app", name: "sleep", options: []string{},
		app: func(map[string]string) (http.Handler, error) {
			return http.HandlerFunc(sleep), nil
		}})
	add(factory{kind: "app", name: "paths", options: []string{},
		app: func(map[string]string) (http.Handler, error) {
			return http.HandlerFunc(paths), nil
		}})
	add(factory{kind: "app", name: "healthcheck", options: []string{},
		app: func(map[string]string) (http.Handler, error) {
			return http.HandlerFunc(healthcheckApp), nil
		}},
		"egg:oslo.middleware#healthcheck",
		"oslo_middleware:Healthcheck.app_factory")

	add(factory{kind: "filter", name: "request_id", options: []string{},
		filter: func(map[string]string) (middleware, error) { return requestID, nil }},
		"egg:oslo.middleware#request_id",
		"oslo_middleware:RequestId.factory",
		"oslo_middleware.request_id:RequestId.factory",
		"nova.api.compute_req_id:ComputeReqIdMiddleware.factory")
	add(factory{kind: "filter", name: "faultwrap", options: []string{},
		filter: func(map[string]string) (middleware, error) { return faultWrap(logger), nil }},
		"nova.api.openstack:FaultWrapper.factory",
		"cinder.api.middleware.fault:FaultWrapper.factory")
	add(factory{kind: "filter", name: "accesslog", options: []string{},
		filter: func(map[string]string) (middleware, error) { return accessLog(logger), nil }},
		"nova.api.openstack.requestlog:RequestLog.factory")
	add(factory{kind: "filter", name: "sizelimit", options: []string{"max_request_body_size"},
		filter: func(opts map[string]string) (middleware, error) {
			max, err := intOption(opts, "max_request_body_size", defaultMaxBodySize)
			return sizeLimit(max), err
		}},
		"egg:oslo.middleware#sizelimit",
		"oslo_middleware:RequestBodySizeLimiter.factory",
		"oslo_middleware.sizelimit:RequestBodySizeLimiter.factory")
	add(factory{kind: "filter", name: "healthcheck", options: []string{"path"},
		filter: func(opts map[string]string) (middleware, error) {
			path, ok := opts["path"]
			if !ok {
				path = "/healthcheck"
			}
			if len(path) == 0 || path[0] != '/' {
				return nil, badOption("path", "%q must start with /", path)
			}
			return healthcheck(path), nil
		}},
		"egg:oslo.middleware#healthcheck",
		"oslo_middleware:Healthcheck.factory",
		"oslo_middleware.healthcheck:Healthcheck.factory")
	add(factory{kind: "filter", name: "authtoken", options: []string{"token"},
		filter: func(opts map[string]string) (middleware, error) {
			token := opts["token"]
			if token == "" {
				return nil, badOption("token", "must be set, and not empty")
			}
			return authToken(token), nil
		}})

	add(factory{kind: "composite", name: "urlmap", composite: urlmapFactory},
		"egg:Paste#urlmap",
		"paste.urlmap:urlmap_factory",
		"nova.api.openstack.urlmap:urlmap_factory")
	return r
}

// intOption reads a non-negative whole number of bytes, or returns def.
func intOption(opts map[string]string, key string, def int64) (int64, error) {
	s, ok := opts[key]
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, badOption(key, "%q is not a whole number of bytes", s)
	}
	return n, nil
}

// find returns the factory of kind that ref names, or nil.
func (r registry) find(kind, ref string) *factory {
	return r[registryKey{kind, canonicalRef(ref)}]
}

// kindsOf lists the kinds of piece the registry has under ref.
func (r registry) kindsOf(ref string) []string {
	var kinds []string
	for _, kind := range []string{"app", "composite", "filter"} {
		if r.find(kind, ref) != nil {
			kinds = append(kinds, kind)
		}
	}
	return kinds
}

// ownNames lists egg:tutorial's names, sorted: what an error says the
// registry has.
func (r registry) ownNames() []string {
	var names []string
	for key, f := range r {
		if key.ref == "egg:"+ownDist+"#"+f.name && !slices.Contains(names, f.name) {
			names = append(names, f.name)
		}
	}
	slices.Sort(names)
	return names
}

// canonicalRef spells ref as the registry keys it: an egg:Dist#name with
// its distribution's name normalised, as Python's importlib.metadata
// finds a distribution (egg:Oslo.Middleware is egg:oslo_middleware), and
// anything else as it is.
func canonicalRef(ref string) string {
	dist, name, ok := strings.Cut(strings.TrimPrefix(ref, "egg:"), "#")
	if !ok || !strings.HasPrefix(ref, "egg:") {
		return ref
	}
	return "egg:" + normalizeDist(dist) + "#" + name
}

// normalizeDist normalises a distribution's name as importlib.metadata
// does before it looks the distribution up: lowercase, and each run of -,
// _ and . one _.
func normalizeDist(dist string) string {
	var b strings.Builder
	b.Grow(len(dist))
	separator := false
	for _, r := range strings.ToLower(dist) {
		if r == '-' || r == '_' || r == '.' {
			separator = true
			continue
		}
		if separator {
			b.WriteByte('_')
			separator = false
		}
		b.WriteRune(r)
	}
	if separator {
		b.WriteByte('_')
	}
	return b.String()
}
