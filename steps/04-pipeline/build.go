package main

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
type builder struct{ registry registry }

// app makes the app ctx describes: the Go twin of LoaderContext.create
// for an app. A pipeline's filters wrap its app, the first outermost.
func (b builder) app(ctx *loaderContext) (http.Handler, error) {
	switch ctx.objectType {
	case pipelineType:
		app, err := b.app(ctx.app)
		if err != nil {
			return nil, err
		}
		var filters []middleware
		for _, fc := range ctx.filters {
			m, err := b.filter(fc)
			if err != nil {
				return nil, err
			}
			filters = append(filters, m)
		}
		return chain(app, filters...), nil
	case filterAppType, filterWithType:
		if ctx.objectType == filterWithType && ctx.next.objectType != appType {
			return nil, errorAt(ctx.where, "[%s] filter-with on a %s: Paste Deploy would make a filter of it, not an app; name the filter in a pipeline = instead", ctx.label, ctx.next.objectType.name)
		}
		app, err := b.app(ctx.next)
		if err != nil {
			return nil, err
		}
		m, err := b.filter(ctx.filter)
		if err != nil {
			return nil, err
		}
		return m(app), nil
	}
	f, opts, err := b.twinOf(ctx, "app", "composite")
	if err != nil {
		return nil, err
	}
	if f.kind == "app" {
		h, err := f.app(opts)
		return h, factoryError(ctx, err)
	}
	// The apps are made in the config's order, not_found_app first, as
	// urlmap_factory makes them, then ordered as the urlmap tries them.
	var notFound http.Handler
	if ctx.notFound != nil {
		if notFound, err = b.app(ctx.notFound); err != nil {
			return nil, err
		}
	}
	mounts := slices.Clone(ctx.mounts)
	for i := range mounts {
		if mounts[i].handler, err = b.app(mounts[i].app); err != nil {
			return nil, err
		}
	}
	h, err := f.composite(urlmapOrder(mounts), notFound)
	return h, factoryError(ctx, err)
}

// filter makes the middleware ctx describes: the Go twin of
// LoaderContext.create for a filter. A filter with filter-with is the
// other filter around it.
func (b builder) filter(ctx *loaderContext) (middleware, error) {
	if ctx.objectType == filterWithType {
		outer, err := b.filter(ctx.filter)
		if err != nil {
			return nil, err
		}
		inner, err := b.filter(ctx.next)
		if err != nil {
			return nil, err
		}
		return func(h http.Handler) http.Handler { return outer(inner(h)) }, nil
	}
	f, opts, err := b.twinOf(ctx, "filter")
	if err != nil {
		return nil, err
	}
	m, err := f.filter(opts)
	return m, factoryError(ctx, err)
}

// twinOf returns the Go factory that makes ctx, which must be one of
// kinds, and the options it gets: the global conf, overridden by the
// local conf, as oslo.middleware's factories merge them. It refuses a
// piece with no Go twin, a local option the twin does not read, and a key
// Paste ignores because [DEFAULT] also sets it.
func (b builder) twinOf(ctx *loaderContext, kinds ...string) (*factory, map[string]string, error) {
	kind, ok := protocolKinds[ctx.protocol]
	switch {
	case ctx.protocol == "":
		return nil, nil, errorAt(ctx.where, "%s: nothing says how to call it: name it in a section's use =", ctx.label)
	case !ok:
		return nil, nil, errorAt(ctx.where, "[%s] %s: Paste Deploy has no protocol %s, so it cannot call this either", ctx.label, ctx.factory, ctx.protocol)
	case ctx.twin == nil:
		return nil, nil, b.noTwin(ctx, kind)
	case !slices.Contains(kinds, ctx.twin.kind):
		return nil, nil, errorAt(ctx.where, "[%s] uses %s, which makes a%s %s, not a%s %s", ctx.label, ctx.twin.name, article(ctx.twin.kind), ctx.twin.kind, article(kinds[0]), kinds[0])
	}
	f := ctx.twin
	if f.kind == "composite" {
		return f, nil, nil // its apps are resolved already
	}
	for _, s := range ctx.ignored {
		return nil, nil, errorAt(s.where, "%s is also in [DEFAULT], and Paste ignores it here: write set %s = ... to override it", s.key, s.key)
	}
	opts := map[string]string{}
	for _, key := range f.options {
		if s, ok := ctx.global.values[key]; ok {
			opts[key] = s.value
		}
	}
	for _, s := range ctx.local.list {
		if f.options != nil && !slices.Contains(f.options, s.key) {
			return nil, nil, errorAt(s.where, "%s has no option %q (it has: %s)", f.name, s.key, strings.Join(f.options, ", "))
		}
		opts[s.key] = s.value
	}
	return f, opts, nil
}

// noTwin is the error for a piece the registry has no Go twin for, at the
// line that names its factory.
func (b builder) noTwin(ctx *loaderContext, kind string) error {
	if kinds := b.registry.kindsOf(ctx.factory); len(kinds) > 0 {
		return errorAt(ctx.factoryAt, "%s twins a%s %s factory, but %s wants a%s %s", ctx.factory, article(kinds[0]), strings.Join(kinds, " and "), ctx.protocol, article(kind), kind)
	}
	return errorAt(ctx.factoryAt, "%s has no Go twin in the registry (it has: %s)", ctx.factory, strings.Join(b.registry.ownNames(), ", "))
}

// factoryError gives a factory's error its FILE:LINE, and hides in it any
// secret of ctx's options.
func factoryError(ctx *loaderContext, err error) error {
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
