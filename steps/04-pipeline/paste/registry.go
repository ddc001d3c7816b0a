package paste

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// This file twins the entry points loadwsgi.py's EggLoader finds with
// importlib.metadata, and the objects its lookup_object imports.

// Registry is every factory a config can name, by kind and name: the Go
// twin of the entry points Paste Deploy finds in installed packages, and
// of the Python objects paste.*_factory and call: name.
type Registry struct {
	own       string // the distribution whose every entry point the registry knows
	factories map[registryKey]*Factory
}

// registryKey finds a factory: by kind too, as one name can make two
// kinds of piece (egg:oslo.middleware#healthcheck is an app and a filter).
type registryKey struct {
	kind Kind
	ref  string // "egg:oslo_middleware#healthcheck" (see canonicalRef), or "oslo_middleware:Healthcheck.factory"
}

// NewRegistry returns an empty registry whose own factories are the
// distribution own: a config names them egg:own#name.
func NewRegistry(own string) *Registry {
	return &Registry{own: normalizeDist(own), factories: map[registryKey]*Factory{}}
}

// Add lists f under egg:OWN#f.Name, and under each of refs, the names
// OpenStack configs give what f twins: entry points such as
// egg:oslo.middleware#request_id, Python paths such as
// oslo_middleware:RequestId.factory. The one composite is URLMap: Add
// panics on another, as the loader reads a composite's keys as a urlmap's.
func (r *Registry) Add(f Factory, refs ...string) {
	if f.Kind == Composite && f.composite == nil {
		panic("paste: Registry.Add: the one composite factory is paste.URLMap")
	}
	for _, ref := range append([]string{"egg:" + r.own + "#" + f.Name}, refs...) {
		r.factories[registryKey{f.Kind, canonicalRef(ref)}] = &f
	}
}

// find returns the factory of kind that ref names, or nil.
func (r *Registry) find(kind Kind, ref string) *Factory {
	return r.factories[registryKey{kind, canonicalRef(ref)}]
}

// kindsOf names the kinds of piece the registry has under ref.
func (r *Registry) kindsOf(ref string) []string {
	var kinds []string
	for _, kind := range []Kind{App, Composite, Filter} {
		if r.find(kind, ref) != nil {
			kinds = append(kinds, kind.String())
		}
	}
	return kinds
}

// Own lists the kind and name of each of the registry's own factories,
// "app greeting", sorted.
func (r *Registry) Own() []string {
	var own []string
	for key, f := range r.factories {
		if key.ref == "egg:"+r.own+"#"+f.Name {
			own = append(own, f.Kind.String()+" "+f.Name)
		}
	}
	slices.Sort(own)
	return own
}

// ownNames lists the names of the registry's own factories, sorted.
func (r *Registry) ownNames() []string {
	var names []string
	for _, own := range r.Own() {
		_, name, _ := strings.Cut(own, " ")
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// String lists the registry's factories, one a line, sorted: the kind,
// the name, the options in parentheses (any, for a composite), and the
// names a config can give it, as the registry spells them.
func (r *Registry) String() string {
	refs := map[*Factory][]string{}
	for key, f := range r.factories {
		refs[f] = append(refs[f], key.ref)
	}
	var lines []string
	for f, names := range refs {
		options := "any"
		if f.Options != nil {
			options = strings.Join(f.Options, " ")
		}
		slices.Sort(names)
		lines = append(lines, fmt.Sprintf("%s %s (%s): %s\n", f.Kind, f.Name, options, strings.Join(names, " ")))
	}
	slices.Sort(lines)
	return strings.Join(lines, "")
}

// canonicalRef spells ref as the registry keys it: an egg:Dist#name with
// its distribution's name normalised, anything else as it is.
func canonicalRef(ref string) string {
	rest, egg := strings.CutPrefix(ref, "egg:")
	dist, name, ok := strings.Cut(rest, "#")
	if !egg || !ok {
		return ref
	}
	return "egg:" + normalizeDist(dist) + "#" + name
}

// distSeparators are the runs a distribution's normalised name spells _.
var distSeparators = regexp.MustCompile(`[-_.]+`)

// normalizeDist normalises a distribution's name as importlib.metadata does.
func normalizeDist(dist string) string {
	return distSeparators.ReplaceAllString(strings.ToLower(dist), "_")
}
