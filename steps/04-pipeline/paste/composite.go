package paste

import "strings"

// expand resolves, below every composite in the tree, the apps its options
// name: what Paste Deploy's composite factories load when they run, for
// loadcontext leaves a composite's apps unloaded. A composite with a Go
// twin, the urlmap, reads its options as Paste's urlmap_factory does; for
// one with no twin, such as nova's pipeline_factory_v21, expand guesses
// from the option values. Contexts are expanded in the order Paste Deploy
// would create them, depth first; Paste recurses, and expand keeps a list
// of what is left to do, so that composites nested deep need no deep
// stack.
func (r *resolver) expand(root *Context) (err error) {
	// A task expands ctx, or, if leave is set, notes that the composite
	// leave came from has all its apps expanded.
	type task struct {
		ctx   *Context
		leave *section
	}
	todo := []task{{ctx: root}}
	defer func() { // after an error, the composites still being expanded
		for i := len(todo) - 1; err != nil && i >= 0; i-- {
			if todo[i].leave != nil {
				r.pop(todo[i].leave)
			}
		}
	}()
	for len(todo) > 0 {
		t := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if t.leave != nil {
			r.pop(t.leave)
			continue
		}
		ctx := t.ctx
		var next []*Context // in the order Paste would create them
		switch ctx.objectType {
		case pipelineType:
			next = append([]*Context{ctx.app}, ctx.filters...)
		case filterAppType:
			next = []*Context{ctx.next, ctx.filter}
		case filterWithType:
			next = []*Context{ctx.filter, ctx.next}
		}
		if protocolKinds[ctx.protocol] == "composite" {
			// While its apps are expanded, the composite is being
			// resolved: an app that leads back to it is a cycle.
			if ctx.from != nil {
				if err := r.push(ctx.from, ctx.where); err != nil {
					return err
				}
				todo = append(todo, task{leave: ctx.from})
			}
			if ctx.twin != nil && ctx.twin.Kind == "composite" {
				if err := r.resolveURLMap(ctx); err != nil {
					return err
				}
				if ctx.notFound != nil {
					next = append(next, ctx.notFound)
				}
				for _, m := range ctx.mounts {
					next = append(next, m.app)
				}
			} else if err := r.guessApps(ctx); err != nil {
				return err
			}
		}
		for i := len(next) - 1; i >= 0; i-- {
			todo = append(todo, task{ctx: next[i]})
		}
	}
	return nil
}

// resolveURLMap resolves the apps a urlmap's options name, not_found_app
// first, as urlmap_factory loads them: each with the urlmap's global conf,
// from the file of the section that uses the urlmap.
func (r *resolver) resolveURLMap(ctx *Context) error {
	mounts, notFound, err := readURLMap(ctx)
	if err != nil {
		return err
	}
	if ctx.loader == nil && (len(mounts) > 0 || notFound.value != "") {
		return errorAt(ctx.where, "%s: a urlmap named by a URI has no file to find its apps in", ctx.label)
	}
	if notFound.value != "" {
		ctx.notFound, err = ctx.loader.getContext(appType, notFound.value, ctx.global, site{where: notFound.where, key: "not_found_app", name: notFound.value, secret: notFound.tookSecret})
		if err != nil {
			return err
		}
	}
	for i, m := range mounts {
		s, _ := ctx.local.get(m.key)
		mounts[i].app, err = ctx.loader.getContext(appType, s.value, ctx.global, site{where: s.where, key: m.key, name: s.value, secret: s.tookSecret})
		if err != nil {
			return err
		}
	}
	ctx.mounts = mounts
	return nil
}

// resolveApp resolves name as an app for the composite ctx, and expands
// it: the twin of loader.get_app(name, global_conf=global_conf).
func (r *resolver) resolveApp(ctx *Context, name string, at site) (*Context, error) {
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
func (r *resolver) guessApps(ctx *Context) error {
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
		at := site{where: s.where, key: s.key, name: s.value, secret: s.tookSecret}
		var err error
		if ok {
			g.app, err = r.resolveApp(ctx, names[len(names)-1], at)
			ok = err == nil
		}
		for _, name := range names[:len(names)-1] {
			if !ok {
				break
			}
			var f *Context
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
