package main

import "strings"

// expand resolves, below every composite in the tree, the apps its options
// name: what Paste Deploy's composite factories load when they run, for
// loadcontext leaves a composite's apps unloaded. A composite with a Go
// twin, the urlmap, reads its options as Paste's urlmap_factory does; for
// one with no twin, such as nova's pipeline_factory_v21, expand guesses
// from the option values. Contexts are expanded in the order Paste Deploy
// would create them.
func (r *resolver) expand(ctx *loaderContext) error {
	switch ctx.objectType {
	case pipelineType:
		for _, c := range append([]*loaderContext{ctx.app}, ctx.filters...) {
			if err := r.expand(c); err != nil {
				return err
			}
		}
		return nil
	case filterAppType:
		if err := r.expand(ctx.next); err != nil {
			return err
		}
		return r.expand(ctx.filter)
	case filterWithType:
		if err := r.expand(ctx.filter); err != nil {
			return err
		}
		return r.expand(ctx.next)
	}
	if protocolKinds[ctx.protocol] != "composite" {
		return nil
	}
	// While its apps are resolved, the composite is being resolved: an app
	// that leads back to it is a cycle.
	if ctx.from != nil {
		if err := r.push(ctx.from, ctx.where); err != nil {
			return err
		}
		defer r.pop(ctx.from)
	}
	if ctx.twin != nil && ctx.twin.kind == "composite" {
		return r.expandURLMap(ctx)
	}
	return r.guessApps(ctx)
}

// expandURLMap resolves the apps a urlmap's options name, not_found_app
// first, as urlmap_factory loads them: each with the urlmap's global conf,
// from the file of the section that uses the urlmap.
func (r *resolver) expandURLMap(ctx *loaderContext) error {
	mounts, notFound, err := readURLMap(ctx)
	if err != nil {
		return err
	}
	if ctx.loader == nil && (len(mounts) > 0 || notFound.value != "") {
		return errorAt(ctx.where, "%s: a urlmap named by a URI has no file to find its apps in", ctx.label)
	}
	if notFound.value != "" {
		ctx.notFound, err = r.resolveApp(ctx, notFound.value, site{where: notFound.where, key: "not_found_app", name: notFound.value})
		if err != nil {
			return err
		}
	}
	for i, m := range mounts {
		s, _ := ctx.local.get(m.key)
		mounts[i].app, err = r.resolveApp(ctx, s.value, site{where: s.where, key: m.key, name: s.value})
		if err != nil {
			return err
		}
	}
	ctx.mounts = mounts
	return nil
}

// resolveApp resolves name as an app for the composite ctx, and expands
// it: the twin of loader.get_app(name, global_conf=global_conf).
func (r *resolver) resolveApp(ctx *loaderContext, name string, at site) (*loaderContext, error) {
	app, err := ctx.loader.getContext(appType, name, ctx.global, at)
	if err != nil {
		return nil, err
	}
	return app, r.expand(app)
}

// guessApps reads, for a composite with no Go twin, which option values
// name sections: one app, or filters then an app, as in nova's
// "keystone = cors request_id authtoken osapi_compute_app_v21". It is a
// guess, shown as one by -print: an option whose value does not resolve
// stays an option.
func (r *resolver) guessApps(ctx *loaderContext) error {
	if ctx.loader == nil {
		return nil
	}
	for _, s := range ctx.local.list {
		names := strings.FieldsFunc(s.value, isPySpace)
		if len(names) == 0 || !ctx.loader.names(appType, names[len(names)-1]) {
			continue
		}
		g := guess{key: s.key}
		ok := true
		for _, name := range names[:len(names)-1] {
			ok = ok && ctx.loader.names(filterType, name)
		}
		at := site{where: s.where, key: s.key, name: s.value}
		var err error
		if ok {
			g.app, err = r.resolveApp(ctx, names[len(names)-1], at)
			ok = err == nil
		}
		for _, name := range names[:len(names)-1] {
			if !ok {
				break
			}
			var f *loaderContext
			if f, err = ctx.loader.getContext(filterType, name, ctx.global, at); err == nil {
				err = r.expand(f)
			}
			g.filters, ok = append(g.filters, f), err == nil
		}
		if r.contexts > maxContexts {
			return r.tooMany(s.where)
		}
		if ok {
			ctx.guesses = append(ctx.guesses, g)
		}
	}
	return nil
}

// names reports whether name is a URI or names one section of type t.
func (l *configLoader) names(t *objectType, name string) bool {
	if isURI(name) {
		scheme, _, _ := strings.Cut(strings.ToLower(name), ":")
		return scheme == "config" || scheme == "egg" || scheme == "call"
	}
	return len(l.sectionsFor(t, name)) == 1
}
