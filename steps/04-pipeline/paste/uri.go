package paste

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// This file twins loadwsgi.py's loadcontext and its loaders: _loadconfig,
// _loadegg (EggLoader) and _loadfunc (FuncLoader). A name that starts
// with a scheme is a URI: config:FILE#name, a section of another file;
// egg:Dist#name, an entry point of a Python distribution;
// call:module:object, a Python object.

// isURI reports whether name starts with a scheme, letters and a colon:
// the twin of _Loader.absolute_name.
func isURI(name string) bool {
	i := strings.IndexFunc(name, func(r rune) bool { return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z') })
	return i > 0 && name[i] == ':'
}

// loadContext resolves a URI into a context of kind: the twin of
// loadcontext. relativeTo is the folder a relative config: path starts from.
func (r *resolver) loadContext(kind Kind, uri, relativeTo string, global *globalConf, at site) (*Context, error) {
	uri, name, hasName := strings.Cut(uri, "#")
	if !hasName {
		name = "main"
	}
	scheme, path, _ := strings.Cut(uri, ":")
	var ctx *Context
	var err error
	switch strings.ToLower(scheme) {
	case "config":
		return r.configContext(kind, path, name, relativeTo, global, at)
	case "egg":
		ctx, err = r.eggContext(kind, path, name, at)
	case "call":
		ctx, err = r.callContext(kind, path, at)
	default:
		return nil, errorAt(at.where, "%s: %s is no scheme Paste Deploy knows: config:, egg: or call:", at.key, shown(scheme+":", at.secret))
	}
	if err != nil {
		return nil, err
	}
	if global == nil {
		global = &globalConf{values: map[string]setting{}}
	}
	ctx.global, ctx.secret = global, at.secret
	ctx.label, ctx.where, ctx.factoryAt = ctx.shownFactory(), at.where, at.where
	return ctx, r.tooMany(at.where)
}

// configContext resolves config:path#name, a section of another file:
// the twin of _loadconfig.
func (r *resolver) configContext(kind Kind, path, name, relativeTo string, global *globalConf, at site) (*Context, error) {
	isAbs := filepath.IsAbs(path)
	path = strings.ReplaceAll(path, `\`, "/")
	if !isAbs {
		path = filepath.Join(relativeTo, path)
	}
	if strings.HasPrefix(path, "///") {
		path = path[2:]
	}
	path = strings.TrimFunc(unquote(path), isPySpace)
	if global != nil && len(global.values) == 0 {
		global = nil
	}
	l, err := r.openLoader(path, global, at.where)
	if err != nil {
		err = errorAt(at.where, "%s: %v", at.what(), err)
	} else {
		if at.secret { // the path took in a secret: so do here and __file__
			l.hidePath, l.passed["here"], l.passed["__file__"] = true, true, true
		}
		var ctx *Context
		ctx, err = l.getContext(kind, name, global, site{where: at.where, key: at.key, name: at.name, in: path, secret: at.secret, depth: at.depth})
		if err == nil {
			return ctx, nil
		}
	}
	if at.secret { // the error names the file, whose path took in the secret
		return nil, errorAt(at.where, "%s: refused, for a reason not shown: it would show the file's path, which took in a secret by %%(...)s", at.what())
	}
	return nil, err
}

// eggContext resolves egg:dist#name by what the registry twins: the twin of
// EggLoader. An entry point with no Go twin is taken on trust, except in
// the registry's own distribution.
func (r *resolver) eggContext(kind Kind, dist, name string, at site) (*Context, error) {
	if dist == "" {
		return nil, errorAt(at.where, "%s: egg: names no distribution", at.what())
	}
	ctx := r.newContext(kind)
	ctx.factory = "egg:" + dist + "#" + name
	var found []string
	for _, group := range protocols[kind] {
		// A Go twin answers to its kind's canonical protocol.
		protocol := group[0]
		if f := r.registry.find(protocolKinds[protocol], ctx.factory); f != nil && protocol == canonicalProtocol(f.Kind, "") {
			found = append(found, protocol)
			ctx.protocol, ctx.twin = protocol, f
		}
	}
	switch {
	case len(found) > 1:
		return nil, errorAt(at.where, "%s: %s has entry points for %s: Paste Deploy refuses to choose", at.what(), ctx.factory, strings.Join(found, " and "))
	case len(found) == 1:
		return ctx, nil
	case normalizeDist(dist) == r.registry.own:
		return nil, errorAt(at.where, "%s: %s has no %s entry point %q (it has: %s)", at.what(), "egg:"+dist, kind.objectType(), name, strings.Join(r.registry.ownNames(), ", "))
	}
	ctx.protocol = canonicalProtocol(kind, at.usedBy)
	return ctx, nil
}

// callContext resolves call:module:object: the twin of FuncLoader. As
// lookup_object looks object up as one attribute, it cannot be Class.method.
func (r *resolver) callContext(kind Kind, spec string, at site) (*Context, error) {
	module, object, ok := strings.Cut(spec, ":")
	if !ok || !isDottedName(module) || !isDottedName(object) || strings.Contains(object, ".") {
		return nil, errorAt(at.where, "%s: want call:module:object, a Python module and a name in it", at.key)
	}
	ctx := r.newContext(kind)
	ctx.factory = spec
	return ctx, nil
}

// entryPoint matches a Python object's path as importlib.metadata reads an
// entry point: module, then optionally :object, then optionally [extras].
var entryPoint = regexp.MustCompile(`^([\pL\pN_.]+)\s*(?::\s*([\pL\pN_.]+)\s*)?(?:\[.*\]\s*)?$`)

// entryPointRef returns a paste.*_factory value as module:object, as
// Python would import it, or false if Python could not.
func entryPointRef(value string) (string, bool) {
	m := entryPoint.FindStringSubmatch(value)
	if m == nil || !isDottedName(m[1]) {
		return "", false
	}
	for _, part := range strings.Split(m[2], ".") {
		if part != "" && !isDottedName(part) {
			return "", false
		}
	}
	return strings.TrimSuffix(m[1]+":"+m[2], ":"), true
}

// isDottedName reports whether s is Python identifiers joined by dots.
func isDottedName(s string) bool {
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for i, c := range part {
			if !(unicode.IsLetter(c) || c == '_' || i > 0 && unicode.IsDigit(c)) {
				return false
			}
		}
	}
	return true
}

// unquote decodes %XX escapes in a config: path, as Python's
// urllib.parse.unquote does, leaving a malformed one as it is.
func unquote(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if c, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(c))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
