package main

import (
	"log/slog"
	"net/http"
	"strconv"

	"wsgi-to-go/steps/04-pipeline/paste"
)

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
func newRegistry(logger *slog.Logger) *paste.Registry {
	r := paste.NewRegistry(ownDist)
	add := r.Add

	add(paste.Factory{Kind: paste.App, Name: "greeting", Options: []string{"message"},
		App: func(opts map[string]string) (http.Handler, error) {
			message := greeting
			if m, ok := opts["message"]; ok {
				message = m + "\n" // a config value cannot end with a newline
			}
			return newApp(message), nil
		}})
	add(paste.Factory{Kind: paste.App, Name: "sleep", Options: []string{},
		App: func(map[string]string) (http.Handler, error) {
			return http.HandlerFunc(sleep), nil
		}})
	add(paste.Factory{Kind: paste.App, Name: "paths", Options: []string{},
		App: func(map[string]string) (http.Handler, error) {
			return http.HandlerFunc(paths), nil
		}})
	// As an app, the healthcheck reads path and ignores it, as oslo's
	// app_factory does: the urlmap's prefix chooses what it answers.
	add(paste.Factory{Kind: paste.App, Name: "healthcheck", Options: append([]string{"path"}, healthcheckOptions...),
		App: func(opts map[string]string) (http.Handler, error) {
			return newHealthcheck(opts)
		}},
		"egg:oslo.middleware#healthcheck",
		"oslo_middleware:Healthcheck.app_factory",
		"oslo_middleware.healthcheck:Healthcheck.app_factory")

	add(paste.Factory{Kind: paste.Filter, Name: "request_id", Options: []string{},
		Filter: func(map[string]string) (paste.Middleware, error) { return requestID, nil }},
		"egg:oslo.middleware#request_id",
		"oslo_middleware:RequestId.factory",
		"oslo_middleware.request_id:RequestId.factory")
	add(paste.Factory{Kind: paste.Filter, Name: "compute_req_id", Options: []string{},
		Filter: func(map[string]string) (paste.Middleware, error) { return computeRequestID, nil }},
		"nova.api.compute_req_id:ComputeReqIdMiddleware.factory")
	add(paste.Factory{Kind: paste.Filter, Name: "faultwrap", Options: []string{},
		Filter: func(map[string]string) (paste.Middleware, error) { return faultWrap(logger), nil }},
		"nova.api.openstack:FaultWrapper.factory",
		"cinder.api.middleware.fault:FaultWrapper.factory")
	add(paste.Factory{Kind: paste.Filter, Name: "accesslog", Options: []string{},
		Filter: func(map[string]string) (paste.Middleware, error) { return accessLog(logger), nil }},
		"nova.api.openstack.requestlog:RequestLog.factory")
	add(paste.Factory{Kind: paste.Filter, Name: "sizelimit", Options: []string{"max_request_body_size"},
		Filter: func(opts map[string]string) (paste.Middleware, error) {
			max, err := intOption(opts, "max_request_body_size", defaultMaxBodySize)
			return sizeLimit(max), err
		}},
		"egg:oslo.middleware#sizelimit",
		"oslo_middleware:RequestBodySizeLimiter.factory",
		"oslo_middleware.sizelimit:RequestBodySizeLimiter.factory")
	add(paste.Factory{Kind: paste.Filter, Name: "healthcheck", Options: append([]string{"path"}, healthcheckOptions...),
		Filter: func(opts map[string]string) (paste.Middleware, error) {
			path, ok := opts["path"]
			if !ok {
				path = "/healthcheck"
			}
			if len(path) == 0 || path[0] != '/' {
				return nil, paste.BadOption("path", "must start with /")
			}
			h, err := newHealthcheck(opts)
			return healthcheckFilter(path, h), err
		}},
		"egg:oslo.middleware#healthcheck",
		"oslo_middleware:Healthcheck.factory",
		"oslo_middleware.healthcheck:Healthcheck.factory")
	add(paste.Factory{Kind: paste.Filter, Name: "authtoken", Options: []string{"token"},
		Filter: func(opts map[string]string) (paste.Middleware, error) {
			token := opts["token"]
			if token == "" {
				return nil, paste.BadOption("token", "must be set, and not empty")
			}
			return authToken(token), nil
		}})

	add(paste.URLMap,
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
		return 0, paste.BadOption(key, "must be a whole number of bytes")
	}
	return n, nil
}
