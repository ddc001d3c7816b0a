package main

import (
	"log/slog"
	"net/http"
	"strconv"
)

// newRegistry returns every factory a config can name: the Go twin of the
// entry points Paste Deploy finds in installed Python packages. Each is
// listed under its own name (egg:AnyDist#name), and under the Python paths
// OpenStack configs use for the piece it twins, so a real api-paste.ini
// loads as far as twins exist. To add your own filter, add one entry.
func newRegistry(logger *slog.Logger) map[string]factory {
	r := map[string]factory{}
	add := func(f factory, pythonPaths ...string) {
		r[f.name] = f
		for _, p := range pythonPaths {
			r[p] = f
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

	add(factory{kind: "filter", name: "request_id", options: []string{},
		filter: func(map[string]string) (middleware, error) { return requestID, nil }},
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
