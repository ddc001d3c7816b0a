package paste

// This file twins loadwsgi.py's _ObjectType and its instances, APP,
// FILTER, PIPELINE, FILTER_APP and FILTER_WITH.

// Kind is what a factory makes, or what a context is: the Go twin of
// Paste Deploy's object types, and of the protocols a factory answers to.
type Kind int

// A factory makes an App, a Filter or a Composite; a context is an App
// (a composite too, as in Paste), a Filter, or one that holds others.
const (
	App        Kind = iota + 1 // an application: paste.app_factory
	Filter                     // a middleware: paste.filter_factory
	Composite                  // an app that dispatches to apps: paste.composite_factory
	Pipeline                   // [pipeline:]: filters around an app
	FilterApp                  // [filter-app:]: a filter around the app its next names
	FilterWith                 // filter-with: a filter around a section's own app
)

// String is the kind as errors and the registry name it: "app".
func (k Kind) String() string {
	return [...]string{"none", "app", "filter", "composite", "pipeline", "filter_app", "filtered_with"}[k]
}

// objectType is Paste Deploy's name of the kind, as -print -json shows it.
func (k Kind) objectType() string {
	if k == App {
		return "application"
	}
	return k.String()
}

// protocolKinds maps each protocol to the kind of factory that answers to it.
var protocolKinds = map[string]Kind{
	"paste.app_factory":        App,
	"paste.composite_factory":  Composite,
	"paste.composit_factory":   Composite,
	"paste.filter_factory":     Filter,
	"paste.filter_app_factory": Filter,
}

// protocols are the keys that name an App's or a Filter's factory, in
// groups: a section may set one key of a group, and two groups conflict.
var protocols = map[Kind][][]string{
	App:    {{"paste.app_factory"}, {"paste.composite_factory"}, {"paste.composit_factory"}},
	Filter: {{"paste.filter_factory", "paste.filter_app_factory"}},
}

// sectionTypes maps each section type to the kind it defines, and
// sectionGroups lists the types that define an App or a Filter, in
// groups: the first type of a group with such a section wins.
var (
	sectionTypes = map[string]Kind{
		"app": App, "application": App, "composite": Composite, "composit": Composite,
		"pipeline": Pipeline, "filter-app": FilterApp, "filter": Filter,
	}
	sectionGroups = map[Kind][][]string{
		App:    {{"app", "application"}, {"composite", "composit"}, {"pipeline"}, {"filter-app"}},
		Filter: {{"filter"}},
	}
)

// canonicalProtocol is the protocol a factory of kind k answers to; in a
// section of type typ that defines a composite, a composite's.
func canonicalProtocol(k Kind, typ string) string {
	if sectionTypes[typ] == Composite {
		k = Composite
	}
	return "paste." + k.String() + "_factory"
}

// sectionProtocol is the protocol a section of type typ gives a context
// that has none, as _context_from_use decides it (composit, sic).
func sectionProtocol(typ string) string {
	switch sectionTypes[typ] {
	case App:
		return "paste.app_factory"
	case Composite:
		return "paste.composit_factory"
	}
	return "paste." + typ + "_factory"
}

// child is a context inside another, and what it is there.
type child struct {
	ctx      *Context
	role     string // "app", "filter", "next", "not_found_app", a urlmap's key, or a guess's option
	asFilter bool   // the context above makes it as a filter
	mount    *mount // a urlmap's app: its mount
	guessed  bool   // read from a composite's option: a guess
}

// children lists the contexts inside ctx, in the order Paste Deploy makes
// them: a pipeline's app, then its filters; a filter-app's app, then its
// filter; a filter-with's filter, then what it wraps; a urlmap's
// not_found_app, then its apps; then what a composite seems to name.
func children(ctx *Context, asFilter bool) []child {
	var kids []child
	switch ctx.kind {
	case Pipeline:
		kids = append(kids, child{ctx: ctx.app, role: "app"})
		for _, f := range ctx.filters {
			kids = append(kids, child{ctx: f, role: "filter", asFilter: true})
		}
	case FilterApp:
		kids = []child{{ctx: ctx.next, role: "next"}, {ctx: ctx.filter, role: "filter", asFilter: true}}
	case FilterWith:
		kids = []child{{ctx: ctx.filter, role: "filter", asFilter: true}, {ctx: ctx.next, role: "next", asFilter: asFilter}}
	}
	if ctx.notFound != nil {
		kids = append(kids, child{ctx: ctx.notFound, role: "not_found_app"})
	}
	for i := range ctx.mounts {
		kids = append(kids, child{ctx: ctx.mounts[i].app, role: ctx.mounts[i].key, mount: &ctx.mounts[i]})
	}
	for _, g := range ctx.guesses {
		kids = append(kids, child{ctx: g.app, role: g.key, guessed: true})
		for _, f := range g.filters {
			kids = append(kids, child{ctx: f, role: g.key, asFilter: true, guessed: true})
		}
	}
	return kids
}
