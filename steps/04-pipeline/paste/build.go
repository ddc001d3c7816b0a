package paste

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Stage 3, build: the resolved tree becomes one http.Handler, each piece
// made by the Go factory that twins it, with its options: the twin of
// LoaderContext.create and loadwsgi.py's _Loader.invoke. A piece with no
// Go twin is an error here, and only here.

// Build makes the app tree describes with the factories of reg, each
// piece after the pieces inside it, as Paste Deploy makes them. A
// pipeline's filters wrap its app, the first outermost.
func Build(tree *Context, reg *Registry) (http.Handler, error) {
	return builder{reg}.app(tree)
}

// builder makes handlers from resolved contexts.
type builder struct{ registry *Registry }

func (b builder) app(ctx *Context) (http.Handler, error) {
	inside, err := b.inside(ctx, false)
	if err != nil {
		return nil, err
	}
	switch ctx.kind {
	case Pipeline:
		h := inside[0].app
		for i := len(ctx.filters); i > 0; i-- {
			h = inside[i].filter(h)
		}
		return h, nil
	case FilterApp:
		return inside[1].filter(inside[0].app), nil
	case FilterWith:
		if ctx.next.kind != App {
			return nil, errorAt(ctx.where, "[%s] filter-with on a %s: Paste Deploy would make a filter of it, not an app; name the filter in a pipeline = instead", ctx.label, ctx.next.kind.objectType())
		}
		return inside[0].filter(inside[1].app), nil
	}
	f, opts, err := b.twinOf(ctx, App, Composite)
	if err != nil {
		return nil, err
	}
	if f.Kind == App {
		h, err := f.App(opts)
		return h, factoryError(ctx, err)
	}
	mounts := slices.Clone(ctx.mounts)
	var notFound http.Handler
	next := 0 // children lists the mounts in order
	for _, c := range inside {
		switch {
		case c.mount != nil:
			mounts[next].handler = c.app
			next++
		case c.role == "not_found_app":
			notFound = c.app
		}
	}
	h, err := f.composite(urlmapOrder(mounts), notFound)
	return h, factoryError(ctx, err)
}

func (b builder) filter(ctx *Context) (Middleware, error) {
	if ctx.kind == FilterWith {
		inside, err := b.inside(ctx, true)
		if err != nil {
			return nil, err
		}
		outer, inner := inside[0].filter, inside[1].filter
		return func(h http.Handler) http.Handler { return outer(inner(h)) }, nil
	}
	f, opts, err := b.twinOf(ctx, Filter)
	if err != nil {
		return nil, err
	}
	m, err := f.Filter(opts)
	return m, factoryError(ctx, err)
}

// made is a child of a context, made: an app or a filter.
type made struct {
	child
	app    http.Handler
	filter Middleware
}

// inside makes the children of ctx, in the order children lists them,
// less those guessed: no twin says what they are.
func (b builder) inside(ctx *Context, asFilter bool) ([]made, error) {
	var inside []made
	for _, c := range children(ctx, asFilter) {
		m := made{child: c}
		var err error
		switch {
		case c.guessed:
			continue
		case c.asFilter:
			m.filter, err = b.filter(c.ctx)
		default:
			m.app, err = b.app(c.ctx)
		}
		if err != nil {
			return nil, err
		}
		inside = append(inside, m)
	}
	return inside, nil
}

// twinOf returns the Go factory that makes ctx, one of kinds, and its
// options: the global conf's, overridden by the local conf's, as
// oslo.middleware's factories merge them.
func (b builder) twinOf(ctx *Context, kinds ...Kind) (*Factory, map[string]string, error) {
	kind, ok := protocolKinds[ctx.protocol]
	switch {
	case ctx.protocol == "":
		return nil, nil, errorAt(ctx.where, "%s: nothing says how to call it: name it in a section's use =", ctx.label)
	case !ok:
		return nil, nil, errorAt(ctx.where, "[%s] %s: Paste Deploy has no protocol %s, so it cannot call this either", ctx.label, ctx.shownFactory(), ctx.protocol)
	case ctx.twin == nil:
		twins := b.registry.kindsOf(ctx.factory)
		if len(twins) == 0 {
			return nil, nil, errorAt(ctx.factoryAt, "%s has no Go twin in the registry (it has: %s)", ctx.shownFactory(), strings.Join(b.registry.ownNames(), ", "))
		}
		return nil, nil, errorAt(ctx.factoryAt, "%s twins a%s %s factory, but %s wants a%s %s", ctx.shownFactory(), article(twins[0]), strings.Join(twins, " and "), ctx.protocol, article(kind.String()), kind)
	case !slices.Contains(kinds, ctx.twin.Kind):
		return nil, nil, errorAt(ctx.where, "[%s] uses %s, which makes a%s %s, not a%s %s", ctx.label, ctx.twin.Name, article(ctx.twin.Kind.String()), ctx.twin.Kind, article(kinds[0].String()), kinds[0])
	}
	f := ctx.twin
	if f.Kind == Composite {
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

// factoryError gives a factory's error its FILE:LINE. A factory's error
// quotes no value (BadOption takes none), so it holds no secret to hide.
func factoryError(ctx *Context, err error) error {
	if err == nil {
		return nil
	}
	msg, where := fmt.Sprintf("[%s]: %v", ctx.label, err), ctx.where
	var oe *optionError
	if errors.As(err, &oe) {
		msg = fmt.Sprintf("[%s] %v", ctx.label, oe)
		if s, ok := ctx.local.get(oe.key); ok {
			where = s.where
		} else if s, ok := ctx.global.values[oe.key]; ok && s.where.path != "" {
			where = s.where
		}
	}
	return errorAt(where, "%s", msg)
}

// article is "n" before a word that starts with a vowel: "an app".
func article(word string) string {
	if strings.ContainsAny(word[:1], "aeiou") {
		return "n"
	}
	return ""
}
