package paste

import (
	"slices"
	"strings"
)

// Composites: what Paste Deploy's composite factories load when they
// run, for loadcontext leaves a composite's apps unloaded.

// expand resolves, below every composite under ctx, the apps its options
// name, in the order Paste Deploy would make them.
func (r *resolver) expand(ctx *Context, depth int) error {
	if protocolKinds[ctx.protocol] == Composite {
		// While its apps are resolved, the composite is being resolved
		// too: an app that leads back to it is a cycle.
		if ctx.from != nil {
			if err := r.push(ctx.from, ctx.where); err != nil {
				return err
			}
			defer r.pop(ctx.from)
		}
		var err error
		if ctx.isURLMap() {
			err = r.resolveURLMap(ctx, depth)
		} else {
			err = r.guessApps(ctx, depth)
		}
		if err != nil {
			return err
		}
	}
	for _, c := range children(ctx, false) {
		if c.guessed {
			continue // expanded as it was guessed
		}
		if err := r.expand(c.ctx, depth+1); err != nil {
			return err
		}
	}
	return nil
}

// resolveURLMap reads a urlmap's options as Paste's urlmap_factory does,
// and resolves the apps they name, not_found_app first: each key but
// not_found_app is a path expression, and its value an app.
func (r *resolver) resolveURLMap(ctx *Context, depth int) error {
	local := *ctx.local // a copy: not_found_app stays in the conf
	notFound, ok := local.pop("not_found_app")
	if !ok {
		notFound = ctx.global.values["not_found_app"]
	}
	mounts := make([]mount, len(local.list))
	for i, s := range local.list {
		domain, path, err := urlmapPath(s.key)
		if err != nil {
			return errorAt(s.where, "[%s] %s: %v", ctx.section, s.key, err)
		}
		mounts[i] = mount{key: s.key, domain: domain, path: path}
	}
	if ctx.loader == nil && (len(mounts) > 0 || notFound.value != "") {
		return errorAt(ctx.where, "%s: a urlmap named by a URI has no file to find its apps in", ctx.label)
	}
	above := site{depth: depth}
	var err error
	if notFound.value != "" {
		if ctx.notFound, err = ctx.loader.getContext(App, notFound.value, ctx.global, above.at(notFound, "not_found_app", "")); err != nil {
			return err
		}
	}
	for i, s := range local.list {
		if mounts[i].app, err = ctx.loader.getContext(App, s.value, ctx.global, above.at(s, s.key, "")); err != nil {
			return err
		}
	}
	ctx.mounts = mounts
	return nil
}

// guessApps reads which option values of a composite with no Go twin name
// an app, or filters then an app, as nova's "keystone = cors request_id
// authtoken osapi_compute_app_v21" does. It is a guess, and -print says so.
func (r *resolver) guessApps(ctx *Context, depth int) error {
	if ctx.loader == nil {
		return nil
	}
	for _, s := range ctx.local.list {
		names := strings.FieldsFunc(s.value, isPySpace)
		if len(names) == 0 {
			continue
		}
		app, filters := names[len(names)-1], names[:len(names)-1]
		notFilter := func(name string) bool { return !ctx.loader.names(Filter, name) }
		if !ctx.loader.names(App, app) || slices.ContainsFunc(filters, notFilter) {
			continue
		}
		at := site{where: s.where, key: s.key, name: s.value, secret: s.secret, depth: depth + 1}
		// The app first, then the filters, as Paste makes a pipeline.
		g := guess{key: s.key}
		var err error
		g.app, err = r.resolveGuess(ctx, App, app, at)
		for _, name := range filters {
			if err != nil {
				break
			}
			var f *Context
			f, err = r.resolveGuess(ctx, Filter, name, at)
			g.filters = append(g.filters, f)
		}
		if r.contexts > maxContexts {
			return r.tooMany(s.where)
		}
		if err == nil {
			ctx.guesses = append(ctx.guesses, g)
		}
	}
	return nil
}

// resolveGuess resolves and expands name as a piece of kind for ctx: the
// twin of the composite's loader.get_app(name, global_conf=global_conf).
func (r *resolver) resolveGuess(ctx *Context, kind Kind, name string, at site) (*Context, error) {
	c, err := ctx.loader.getContext(kind, name, ctx.global, at)
	if err != nil {
		return nil, err
	}
	return c, r.expand(c, at.depth)
}

// names reports whether name is a URI or names one section of kind.
func (l *configLoader) names(kind Kind, name string) bool {
	if isURI(name) {
		scheme, _, _ := strings.Cut(strings.ToLower(name), ":")
		return scheme == "config" || scheme == "egg" || scheme == "call"
	}
	return len(l.sectionsFor(kind, name)) == 1
}
