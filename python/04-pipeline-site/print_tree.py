"""The step-04 twin's -print, and -print -json: the tree of contexts Paste
Deploy resolves (context_tree, which the conformance recorder shares),
written as the Go step's -print writes its twin of it, with every secret
hidden."""
import configparser
import json
import os

from paste.deploy import loadwsgi
import paste.urlmap

import context_tree
import tutorial
from config_errors import (ConfigError, describe, hide_url_passwords, looks_secret, option_line,
                           path_secrets, shown_file)


def print_tree(path, name, as_json):
    """-print, and -print -json, of the app called name in the config at
    path; a config Paste Deploy refuses is a ConfigError."""
    context_tree.install()
    printer = Printer(path)
    try:
        context = context_tree.resolve(path, name)
        root = printer.node(context, (os.path.abspath(path), None, None))
    except Exception as err:
        raise ConfigError(describe(err, path)) from None
    defaults = context.loader.parser.defaults() if hasattr(context.loader, "parser") else {}
    if as_json:
        print(json.dumps(to_json(root, defaults, printer.secrets), indent=2, sort_keys=True))
    else:
        printer.write(root, defaults)


class Node:
    """One context of the tree, as -print shows it."""

    def __init__(self, context, label, where):
        self.context = context
        self.label = label
        self.where = where
        self.children = []  # (lead, Node): "/v1 -> ", or ""
        self.guesses = []   # (key, [Node])


class Printer:
    """Builds the tree of Nodes from Paste Deploy's contexts, and writes it
    as the Go step's -print does."""

    def __init__(self, path):
        self.path = path
        self.secrets = path_secrets(path)  # read once, for every path -print shows
        self.root_dir = os.path.dirname(os.path.abspath(path))

    def shown_path(self, absolute):
        """A file as -print names it: relative as -config was, and
        <hidden> if a secret went into its path."""
        relative = os.path.relpath(absolute, self.root_dir)
        return shown_file(os.path.normpath(os.path.join(os.path.dirname(self.path), relative)), self.secrets)

    def node(self, context, naming=None):
        """The Node for context; naming is (file, section, key) of the
        option that named it, for a context a URI made."""
        origin = context_tree.origin(context)
        if origin:
            file, section = origin
            label = section
            where = f"{self.shown_path(file)}:{section_line(file, section)}"
        else:
            label = factory_of(context)
            file, section, key = naming
            line = option_line(file, section, key) if key else None
            where = self.shown_path(file) + (f":{line}" if line else "")
        node = Node(context, label, where)
        kind = context.object_type
        here = origin or naming[:2]
        if kind is loadwsgi.PIPELINE:
            node.children = [("", self.node(f, here + ("pipeline",))) for f in context.filter_contexts]
            node.children.append(("", self.node(context.app_context, here + ("pipeline",))))
        elif kind is loadwsgi.FILTER_APP:
            node.children = [("", self.own(context.filter_context, label, where, here)),
                             ("", self.node(context.next_context, here + ("next",)))]
        elif kind is loadwsgi.FILTER_WITH:
            node.children = [("", self.node(context.filter_context, here + ("filter-with",))),
                             ("", self.inner(context.next_context, label, where, here))]
        elif context_tree.is_composite(context):
            if context.object in URLMAPS:
                self.urlmap(node, context, here)
            else:
                self.guess(node, context, here)
        return node

    def own(self, context, label, where, here):
        """A filter-app's filter: named by its use, or, if the section names
        its factory itself, shown as the section."""
        node = self.node(context, here + ("use",))
        if not context_tree.origin(context) and option_line(here[0], here[1], "use") is None:
            node.label, node.where = label, where
        return node

    def inner(self, context, label, where, here):
        """The app a filter-with wraps: shown as the section it is."""
        node = self.node(context, here + ("use",))
        node.label, node.where = label, where
        return node

    def urlmap(self, node, context, here):
        """The apps Paste's urlmap_factory mounts, in the order it tries
        them."""
        apps, not_found = context_tree.urlmap_apps(context)
        for domain, path, name, app in apps:
            lead = (f"domain {domain} " if domain else "") + (path or "/") + " -> "
            node.children.append((lead, self.node(app, here + (key_of(context, name),))))
        if not_found:
            node.children.append(("not_found_app -> ", self.node(not_found[1], here + ("not_found_app",))))

    def guess(self, node, context, here):
        """For a composite with no twin: option values that name sections,
        filters then an app, resolved as the composite would load them."""
        for key, value in context.local_conf.items():
            names = value.split()
            if not names:
                continue
            try:
                nodes = [self.node(context.loader.get_context(loadwsgi.FILTER, n, context.global_conf), here + (key,))
                         for n in names[:-1]]
                nodes.append(self.node(context.loader.get_context(loadwsgi.APP, names[-1], context.global_conf), here + (key,)))
            except Exception:
                continue
            node.guesses.append((key, nodes))

    def write(self, node, above, depth=0, lead=""):
        """Writes node, at depth, and what is below it, as the Go step's
        -print."""
        print(indent(depth, True) + lead + heading(node))
        for line in option_lines(node, above):
            print(indent(depth) + "    " + line.replace("\n", "\n" + indent(depth) + "      "))
        for child_lead, child in node.children:
            self.write(child, node.context.global_conf, depth + 1, child_lead)
        for key, nodes in node.guesses:
            print(indent(depth + 1, True) + f"{key} -> read from the option value (a guess: no Go twin says what it means)")
            for child in nodes:
                self.write(child, node.context.global_conf, depth + 2)


# The urlmaps -print shows the apps of: Paste's own, and the twin's, which
# is Paste's under the Go registry's name.
URLMAPS = (paste.urlmap.urlmap_factory, tutorial.urlmap_composite)


# The deepest level -print indents, two spaces a level, as the Go step's
# maxIndent: deeper, a heading starts with its depth, [depth 33].
MAX_INDENT = 32


def indent(depth, heading=False):
    """The indentation of a line at depth, as the Go step's indent."""
    text = "  " * min(depth, MAX_INDENT)
    if depth > MAX_INDENT and heading:
        text += f"[depth {depth}] "
    return text


def key_of(context, name):
    """The urlmap key whose value is name."""
    for key, value in context.local_conf.items():
        if value == name:
            return key
    return "not_found_app"


def factory_of(context):
    """What names the context's factory: egg:Dist#name, or module:object;
    <hidden> if a secret went into it by %(name)s, as the Go step shows it."""
    factory = context_tree.factory(context)
    return None if factory is None else shown("", factory, secret_values(context))


def twin_of(context):
    """The twin's name for the piece, and the options it reads, or None."""
    try:
        return tutorial.TWINS.get(context.object)
    except TypeError:  # an unhashable object
        return None


def heading(node):
    """The node's first line, as the Go step writes it."""
    context = node.context
    kind = context.object_type
    factory = factory_of(context)
    twin = twin_of(context)
    if kind is loadwsgi.FILTER_WITH:
        return f"{node.label}, with filter-with  {node.where}"
    if factory is None:
        return f"{node.label}  {node.where}"
    if twin:
        return f"{node.label}: {twin[0]}  {node.where}"
    if node.label == factory:
        return f"{node.label}, which is not installed  {node.where}"
    return f"{node.label}: {factory}, which is not installed  {node.where}"


def option_lines(node, above):
    """The lines under a node, as the Go step writes them: the local conf;
    the global conf's keys that differ from the one above; the global
    options its twin reads; and the keys Paste skipped."""
    context = node.context
    twin = twin_of(context)
    secrets = secret_values(context)
    lines = []
    urlmap = context.object in URLMAPS
    guessed = {key for key, _ in node.guesses}
    gets = get_keys(context)
    for key, value in context.local_conf.items():
        if urlmap and context_tree.is_composite(context) or key in guessed:
            continue
        line = f"{key} = {shown(key, value, secrets, gets.get(key))}"
        if key in gets:
            line += f"  (get {gets[key]})"
        elif twin and twin[1] is not None and key not in twin[1]:
            line += "  (not an option of the Go twin)"
        lines.append(line)
    changed = set()
    for key in sorted(context.global_conf):
        value = context.global_conf[key]
        if above.get(key) != value:
            lines.append(f"global {key} = {shown(key, value, secrets)}")
            changed.add(key)
    if twin and twin[1]:
        for key in twin[1]:
            if key in context.global_conf and key not in context.local_conf and key not in changed:
                lines.append(f"{key} = {shown(key, context.global_conf[key], secrets)}  (from the global conf)")
    for key, value in ignored_keys(context):
        lines.append(f"{key} = {shown(key, value, secrets)}  (ignored, as Paste ignores it: [DEFAULT] sets it)")
    require = raw_option(context, "require")
    if require:
        lines.append(f"require = {hide_url_passwords(require)}  (Paste checks these are installed; step 04 does not)")
    return lines


def raw_option(context, key):
    """The raw value of key in the context's own section, or None."""
    origin = context_tree.origin(context)
    if not origin:
        return None
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(origin[0], encoding="utf-8")
    return parser.get(origin[1], key, fallback=None) if parser.has_section(origin[1]) else None


def ignored_keys(context):
    """The keys of the context's section that Paste Deploy skipped, because
    its file's [DEFAULT] (with here and __file__) sets them too. (The Go
    step lists too those of the sections it uses.)"""
    origin = context_tree.origin(context)
    if not origin:
        return []
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(origin[0], encoding="utf-8")
    if not parser.has_section(origin[1]):
        return []
    defaults = set(parser.defaults()) | {"here", "__file__"}
    return [(key, value) for key, value in parser._sections[origin[1]].items()
            if key in defaults and not key.startswith(("set ", "get "))]


def get_keys(context):
    """The local keys a get copied from the global conf, and from which."""
    origin = context_tree.origin(context)
    if not origin:
        return {}
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(origin[0], encoding="utf-8")
    if not parser.has_section(origin[1]):
        return {}
    return {key[4:].strip(): value for key, value in parser.items(origin[1], raw=True)
            if key.startswith("get ")}


def secret_values(context):
    """The values of the context's options whose names look secret."""
    conf = {**context.global_conf, **context.local_conf}
    return {value for key, value in conf.items() if value and looks_secret(key)}


def shown(key, value, secrets, got_from=None):
    """A value as -print shows it: <hidden> if its name, or the global it
    was copied from, looks secret, or if it holds a secret's value; and
    otherwise with the password of any URL in it hidden."""
    if looks_secret(key) or (got_from and looks_secret(got_from)) or \
            any(secret in value for secret in secrets):
        return "<hidden>"
    return hide_url_passwords(value)


def to_json(node, above_global, secrets_in_paths):
    """The node as -print -json writes it: Paste Deploy's fields, and the
    Go step's where and go_twin; secrets_in_paths is path_secrets'."""
    context = node.context
    secrets = secret_values(context)
    gets = get_keys(context)
    origin = context_tree.origin(context)
    twin = twin_of(context)
    out = {
        "object_type": context.object_type.name,
        "protocol": context.protocol,
        "factory": factory_of(context),
        "section": origin[1] if origin else None,
        "file": shown_file(origin[0], secrets_in_paths) if origin else None,
        "local_conf": {k: shown(k, v, secrets, gets.get(k)) for k, v in context.local_conf.items()},
        "global_conf": {k: shown(k, v, secrets) for k, v in context.global_conf.items()},
        "where": node.where,
        "go_twin": twin[0] if twin else None,
    }
    kind = context.object_type
    children = [child for _, child in node.children]
    if kind is loadwsgi.PIPELINE:
        out["filters"] = [to_json(c, context.global_conf, secrets_in_paths) for c in children[:-1]]
        out["app"] = to_json(children[-1], context.global_conf, secrets_in_paths)
    elif kind in (loadwsgi.FILTER_APP, loadwsgi.FILTER_WITH):
        out["filter"] = to_json(children[0], context.global_conf, secrets_in_paths)
        out["next"] = to_json(children[1], context.global_conf, secrets_in_paths)
    return out



def section_line(path, section):
    """The line of section's header, in the file at path."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            text = line.strip()
            if text.startswith("[") and "]" in text and text[1:text.rindex("]")] == section:
                return number
    return 0
