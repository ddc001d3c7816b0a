package paste

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Stage 3, build: the resolved tree becomes one http.Handler, each piece
// made by the Go factory that twins it, with its options. A piece with no
// Go twin is an error here, and only here: -print shows it.

// builder makes handlers from resolved contexts, with the factories of
// its registry.
type builder struct{ registry *Registry }

// Build makes the app tree describes, with the factories of reg: the Go
// twin of LoaderContext.create. A piece with no factory in reg is an
// error here, and only here.
func Build(tree *Context, reg *Registry) (http.Handler, error) {
	return builder{reg}.app(tree)
}

// piece is a context made: an app, or a filter.
type piece struct {
	app    http.Handler
	filter func(http.Handler) http.Handler
}

// job is a context to make, as an app or as a filter.
type job struct {
	ctx      *Context
	asFilter bool
}

// app makes the app root describes, and everything in it: the Go twin of
// LoaderContext.create. Paste Deploy makes each piece by recursion, after
// the pieces it contains; here a list of them in that order does it, so
// that apps nested deep need no deep stack. A pipeline's filters wrap its
// app, the first outermost.
func (b builder) app(root *Context) (http.Handler, error) {
	order := creationOrder(job{ctx: root})
	made := make(map[*Context]piece, len(order))
	for _, j := range order {
		p, err := b.make(j, made)
		if err != nil {
			return nil, err
		}
		made[j.ctx] = p
	}
	return made[root].app, nil
}

// creationOrder lists top and every job inside it, each after the jobs it
// contains, in the order Paste Deploy creates them.
func creationOrder(top job) []job {
	type visit struct {
		job
		inside bool // the jobs inside it are listed
	}
	var order []job
	todo := []visit{{job: top}}
	for len(todo) > 0 {
		v := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if v.inside {
			order = append(order, v.job)
			continue
		}
		todo = append(todo, visit{v.job, true})
		inside := jobsInside(v.job)
		for i := len(inside) - 1; i >= 0; i-- {
			todo = append(todo, visit{job: inside[i]})
		}
	}
	return order
}

// jobsInside lists the jobs j's context contains, in the order Paste
// Deploy creates them: a pipeline's app, then its filters; a filter-app's
// app, then its filter; a filter-with's filter, then what it wraps; a
// urlmap's not_found_app, then its apps in the config's order.
func jobsInside(j job) []job {
	ctx := j.ctx
	switch ctx.objectType {
	case pipelineType:
		inside := []job{{ctx: ctx.app}}
		for _, f := range ctx.filters {
			inside = append(inside, job{f, true})
		}
		return inside
	case filterAppType:
		return []job{{ctx: ctx.next}, {ctx.filter, true}}
	case filterWithType:
		return []job{{ctx.filter, true}, {ctx.next, j.asFilter}}
	}
	var inside []job
	if ctx.notFound != nil {
		inside = append(inside, job{ctx: ctx.notFound})
	}
	for _, m := range ctx.mounts {
		inside = append(inside, job{ctx: m.app})
	}
	return inside
}

// make makes j's context, whose insides are in made already.
func (b builder) make(j job, made map[*Context]piece) (piece, error) {
	ctx := j.ctx
	switch ctx.objectType {
	case pipelineType:
		h := made[ctx.app].app
		for i := len(ctx.filters) - 1; i >= 0; i-- {
			h = made[ctx.filters[i]].filter(h)
		}
		return piece{app: h}, nil
	case filterAppType:
		return piece{app: made[ctx.filter].filter(made[ctx.next].app)}, nil
	case filterWithType:
		outer := made[ctx.filter].filter
		if j.asFilter {
			inner := made[ctx.next].filter
			return piece{filter: func(h http.Handler) http.Handler { return outer(inner(h)) }}, nil
		}
		if ctx.next.objectType != appType {
			return piece{}, errorAt(ctx.where, "[%s] filter-with on a %s: Paste Deploy would make a filter of it, not an app; name the filter in a pipeline = instead", ctx.label, ctx.next.objectType.name)
		}
		return piece{app: outer(made[ctx.next].app)}, nil
	}
	if j.asFilter {
		f, opts, err := b.twinOf(ctx, "filter")
		if err != nil {
			return piece{}, err
		}
		m, err := f.Filter(opts)
		return piece{filter: m}, factoryError(ctx, err)
	}
	f, opts, err := b.twinOf(ctx, "app", "composite")
	if err != nil {
		return piece{}, err
	}
	if f.Kind == "app" {
		h, err := f.App(opts)
		return piece{app: h}, factoryError(ctx, err)
	}
	mounts := slices.Clone(ctx.mounts)
	for i := range mounts {
		mounts[i].handler = made[mounts[i].app].app
	}
	var notFound http.Handler
	if ctx.notFound != nil {
		notFound = made[ctx.notFound].app
	}
	h, err := f.composite(urlmapOrder(mounts), notFound)
	return piece{app: h}, factoryError(ctx, err)
}

// twinOf returns the Go factory that makes ctx, which must be one of
// kinds, and the options it gets: the global conf, overridden by the
// local conf, as oslo.middleware's factories merge them. It refuses a
// piece with no Go twin, a local option the twin does not read, and a key
// Paste ignores because [DEFAULT] also sets it.
func (b builder) twinOf(ctx *Context, kinds ...string) (*Factory, map[string]string, error) {
	kind, ok := protocolKinds[ctx.protocol]
	switch {
	case ctx.protocol == "":
		return nil, nil, errorAt(ctx.where, "%s: nothing says how to call it: name it in a section's use =", ctx.label)
	case !ok:
		return nil, nil, errorAt(ctx.where, "[%s] %s: Paste Deploy has no protocol %s, so it cannot call this either", ctx.label, ctx.shownFactory(), ctx.protocol)
	case ctx.twin == nil:
		return nil, nil, b.noTwin(ctx, kind)
	case !slices.Contains(kinds, ctx.twin.Kind):
		return nil, nil, errorAt(ctx.where, "[%s] uses %s, which makes a%s %s, not a%s %s", ctx.label, ctx.twin.Name, article(ctx.twin.Kind), ctx.twin.Kind, article(kinds[0]), kinds[0])
	}
	f := ctx.twin
	if f.Kind == "composite" {
		return f, nil, nil // its apps are resolved already
	}
	if len(ctx.ignored) > 0 {
		s := ctx.ignored[0]
		return nil, nil, errorAt(s.where, "%s is also in [DEFAULT], and Paste ignores it here: write set %s = ... to override it", s.key, s.key)
	}
	opts := map[string]string{}
	for _, key := range f.Options {
		if s, ok := ctx.global.values[key]; ok {
			opts[key] = s.value
		}
	}
	for _, s := range ctx.local.list {
		switch {
		case f.Options != nil && len(f.Options) == 0:
			return nil, nil, errorAt(s.where, "%s has no option %q: it takes none", f.Name, s.key)
		case f.Options != nil && !slices.Contains(f.Options, s.key):
			return nil, nil, errorAt(s.where, "%s has no option %q (it has: %s)", f.Name, s.key, strings.Join(f.Options, ", "))
		}
		opts[s.key] = s.value
	}
	return f, opts, nil
}

// noTwin is the error for a piece the registry has no Go twin for, at the
// line that names its factory.
func (b builder) noTwin(ctx *Context, kind string) error {
	if kinds := b.registry.kindsOf(ctx.factory); len(kinds) > 0 {
		return errorAt(ctx.factoryAt, "%s twins a%s %s factory, but %s wants a%s %s", ctx.shownFactory(), article(kinds[0]), strings.Join(kinds, " and "), ctx.protocol, article(kind), kind)
	}
	return errorAt(ctx.factoryAt, "%s has no Go twin in the registry (it has: %s)", ctx.shownFactory(), strings.Join(b.registry.ownNames(), ", "))
}

// factoryError gives a factory's error its FILE:LINE, and hides in it any
// secret of ctx's options.
func factoryError(ctx *Context, err error) error {
	if err == nil {
		return nil
	}
	var oe *optionError
	var msg string
	var where position
	if errors.As(err, &oe) {
		msg, where = fmt.Sprintf("[%s] %v", ctx.label, oe), ctx.where
		if s, ok := ctx.local.get(oe.key); ok {
			where = s.where
		} else if s, ok := ctx.global.values[oe.key]; ok && s.where.path != "" {
			where = s.where
		}
	} else {
		msg, where = fmt.Sprintf("[%s]: %v", ctx.label, err), ctx.where
	}
	for _, s := range ctx.local.list {
		if s.secret && s.value != "" {
			msg = strings.ReplaceAll(msg, s.value, hidden)
		}
	}
	for _, s := range ctx.global.values {
		if s.secret && s.value != "" {
			msg = strings.ReplaceAll(msg, s.value, hidden)
		}
	}
	return errorAt(where, "%s", msg)
}

// article is "n" before a kind that starts with a vowel: "an app".
func article(kind string) string {
	if strings.ContainsAny(kind[:1], "aeiou") {
		return "n"
	}
	return ""
}
