"""Step 04's Python twin: step 03's application and middleware, put together
at start-up from the Go step's own api-paste.ini by the real Paste Deploy,
as an OpenStack service does (paste.deploy.loadapp), and reloaded on
SIGHUP. The pieces are the twin's own distribution, "tutorial", in
04-pipeline-site/; stand-ins there answer to the factory paths OpenStack
configs name. -print shows the tree of contexts Paste Deploy's own
loadcontext resolves, as the Go step's -print shows its twin of it.

    python3 python/04-pipeline.py
    python3 python/04-pipeline.py -print
    curl -i http://localhost:8080

It needs Paste Deploy: apt-get install python3-pastedeploy (Debian).
"""
import argparse
import configparser
import importlib.abc
import importlib.machinery
import importlib.metadata
import json
import logging
import os
import queue
import re
import signal
import socket
import socketserver
import ssl
import stat
import sys
import threading
import urllib.parse
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

PROG = os.path.splitext(os.path.basename(sys.argv[0]))[0]

# Leave no __pycache__ behind in the repository.
sys.dont_write_bytecode = True

# The twin's own distribution, and the stand-ins, come first on the path.
SITE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "04-pipeline-site")
sys.path[:0] = [SITE, os.path.join(SITE, "standins")]

try:
    from paste.deploy import loadwsgi
    import paste.urlmap
except ImportError:
    print(f"{PROG}: {sys.executable} cannot import Paste Deploy: install it "
          "for this python (on Debian, apt-get install python3-pastedeploy, for "
          "/usr/bin/python3), or run the twin with a python3 that has it",
          file=sys.stderr)
    sys.exit(2)

import tutorial  # noqa: E402 (it is found on SITE)
from tutorial import MAX_SLEEP, duration, finish_first, format_duration, logfmt  # noqa: E402


class ConfigError(Exception):
    """A config Paste Deploy refuses: its message, one line."""


def load_app(path, name):
    """Loads the app called name from the config at path, as an OpenStack
    service does: paste.deploy.loadapp("config:" + the absolute path)."""
    try:
        return loadwsgi.loadapp("config:" + os.path.abspath(path), name=name)
    except Exception as err:
        raise ConfigError(describe(err, path)) from None


# --- Errors: Paste Deploy's, one line each, never with a secret's value.

def describe(err, path):
    """The one line that says why Paste Deploy refused the config at path.
    ConfigParser's errors get their FILE:LINE; an interpolation error is
    worded here, as Python's own shows the raw value, which may be a
    secret."""
    if isinstance(err, OSError) and err.strerror:
        if not err.filename or os.path.abspath(err.filename) == os.path.abspath(path):
            return f"open {path}: {err.strerror}"  # the -config file: no secret named it
        return f"open {scrub(os.path.relpath(err.filename), path)}: {err.strerror}"
    if isinstance(err, configparser.MissingSectionHeaderError):
        return f"{path}:{err.lineno}: no [section] header before {err.line.strip()!r}"
    if isinstance(err, configparser.ParsingError):
        return f"{path}:{err.errors[0][0]}: not a key = value, a [section] or a comment"
    if isinstance(err, configparser.DuplicateSectionError):
        return f"{path}:{err.lineno}: [{err.section}] again"
    if isinstance(err, configparser.DuplicateOptionError):
        return f"{path}:{err.lineno}: {err.option!r} again in [{err.section}]"
    if isinstance(err, configparser.InterpolationError):
        return interpolation_error(err, path)
    if isinstance(err, RecursionError):
        return f"{path}: {type(err).__name__}: Paste Deploy followed a reference cycle"
    message = str(err).replace(os.path.dirname(os.path.abspath(path)) + os.sep, "")
    return f"{path}: {type(err).__name__}: {scrub(message, path)}"


def scrub(message, path):
    """message, with every secret of the config taken out: the values, raw
    and interpolated, of the keys that look secret, in each file Paste
    Deploy has read (a config: URI names more), and as its errors
    quote them (repr, or URL-decoded in a config: path). A name that a get
    key or a urlmap mount gives is not taken for a secret: where a secret
    went into it, it is taken out as that secret. If the config cannot be
    read again, nothing of the message is shown."""
    parsers = [loader.parser for loader in loaders.values() if hasattr(loader, "parser")]
    again = read_again(path, configparser.ConfigParser)
    if again is None and not parsers:
        return "not shown: the config could not be read again to take its secrets out"
    parsers += [again] if again is not None else []
    secrets = set()
    for parser in parsers:
        for section in [parser.default_section, *parser.sections()]:
            for key in parser[section]:
                if not looks_secret(key) or key.startswith(("get ", "/", "domain ")):
                    continue
                for raw in (True, False):
                    try:
                        secrets.add(parser.get(section, key, raw=raw))
                    except Exception:  # a value Paste itself could not read
                        pass
    quoted = set()
    for secret in filter(None, secrets):
        quoted |= {secret, repr(secret)[1:-1], urllib.parse.unquote(secret)}
    for secret in sorted(filter(None, quoted), key=len, reverse=True):
        message = message.replace(secret, "<hidden>")
    return message


# The last ConfigLoader Paste Deploy made for each file, for scrub: one a
# reload no longer reads only hides more.
loaders = {}


def note_loaders():
    """Keeps the ConfigLoaders Paste Deploy makes in loaders."""
    init = loadwsgi.ConfigLoader.__init__

    def noting(self, filename):
        loaders[os.path.abspath(filename.strip())] = self
        init(self, filename)

    loadwsgi.ConfigLoader.__init__ = noting


def interpolation_error(err, path):
    """An interpolation error, at its option's line, without its value:
    inside a secret, none of the secret's text, as the Go step says it.
    The twin hides more than the Go step: any mistake in a value that
    takes in a secret, where Go hides only one inside the secret."""
    line = option_line(path, err.section, err.option)
    where = f"{path}:{line}" if line else path
    secret = touches_secret(path, err.section, err.option)
    if isinstance(err, configparser.InterpolationMissingOptionError):
        what = ("%(...)s in <hidden>" if secret else f"%({err.reference})s") + \
            ": no such key here or in [DEFAULT]"
    elif isinstance(err, configparser.InterpolationDepthError):
        what = "%(...)s nests more than 10 deep: is a value referring to itself?"
    else:  # InterpolationSyntaxError, which quotes the rest of the value
        rest = str(err).rpartition(": ")[2].strip("'\"")
        shown = "<hidden>" if secret else json.dumps(rest)
        if "bad interpolation variable reference" in str(err):
            what = f"bad %(name)s reference in {shown}"
        else:
            what = f"a lone % in {shown}: write %% for a percent sign"
    return f"{where}: [{err.section}] {err.option}: {what}"


def read_again(path, kind):
    """The config at path, read again by a parser of kind, to look into it:
    keys keep their case, and a repeated one is no error; None if it
    cannot be read."""
    here = os.path.dirname(os.path.abspath(path))
    parser = kind(defaults={"here": here, "__file__": os.path.abspath(path)}, strict=False)
    parser.optionxform = str
    try:
        parser.read(path, encoding="utf-8")
    except (OSError, configparser.Error):
        return None
    return parser


def touches_secret(path, section, option):
    """Whether option, or a key its %(name)s references reach, has a name
    that looks secret; where the file cannot be read again, or option is
    not in it (a config: URI's caller set it), it may."""
    raw = read_again(path, configparser.RawConfigParser)
    if raw is None:
        return True
    seen, todo = set(), [option]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if looks_secret(name):
            return True
        try:
            todo += re.findall(r"%\(([^)]*)\)s", raw.get(section, name))
        except configparser.Error:
            if name == option:
                return True
    return False


def option_line(path, section, key):
    """The line where section's option key starts, in the file at path."""
    current = None
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            text = line.strip()
            if text.startswith("[") and "]" in text:
                current = text[1:text.rindex("]")]
            elif current == section and re.match(r"\s*" + re.escape(key) + r"\s*[=:]", line):
                return number
    return None


def section_line(path, section):
    """The line of section's header, in the file at path."""
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            text = line.strip()
            if text.startswith("[") and "]" in text and text[1:text.rindex("]")] == section:
                return number
    return 0


# --- -print: the tree Paste Deploy's loadcontext resolves.

class Stub:
    """Stands in, for -print only, for an object of a module that is not
    installed, so that the tree shows it rather than stopping there."""

    def __init__(self, path):
        self.path = path

    def __getattr__(self, name):
        if not name.isidentifier() or name.startswith("__"):
            raise AttributeError(name)
        return Stub(f"{self.path}.{name}")


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds, after every real finder has failed, a stub module."""

    def find_spec(self, fullname, path, target=None):
        if all(part.isidentifier() for part in fullname.split(".")):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__path__ = []
        module.__getattr__ = lambda name: stub_attr(module.__name__, name)


def stand_in_stub(module, path):
    """A stub for an object a stand-in module lacks: the stand-ins hold
    only the pieces the twin has, and -print shows the rest as not
    installed. Any other missing object is an error, as in Paste Deploy."""
    standins = os.path.join(SITE, "standins") + os.sep
    if not getattr(sys.modules.get(module), "__file__", "").startswith(standins):
        raise
    return Stub(path.replace(" ", ""))


class StubDistribution:
    """Stands in, for -print only, for a distribution that is not
    installed: each entry point asked of it is a stub app or filter
    factory, as the Go step takes an entry point with no twin on trust."""

    def __init__(self, name):
        self.metadata = {"Name": name}
        self.entry_points = ()


class StubEntryPoint:
    """One entry point of a StubDistribution."""

    def __init__(self, dist, group, name):
        self.group, self.name = group, name
        self.path = f"egg:{dist.metadata['Name']}#{name}"

    def load(self):
        return Stub(self.path)


def stub_distributions():
    """Makes Paste Deploy find a StubDistribution for a distribution that
    is not installed, with the entry points it is asked for."""
    distribution = importlib.metadata.distribution

    def finding(name):
        try:
            return distribution(name)
        except importlib.metadata.PackageNotFoundError:
            return StubDistribution(name)

    importlib.metadata.distribution = finding
    find_entry_point = loadwsgi.find_entry_point

    def finding_entry_point(dist, group, name):
        if isinstance(dist, StubDistribution):
            if group in ("paste.app_factory", "paste.filter_factory"):
                return StubEntryPoint(dist, group, name)
            return None
        return find_entry_point(dist, group, name)

    loadwsgi.find_entry_point = finding_entry_point


def stub_attr(module, name):
    if not name.isidentifier() or name.startswith("__"):
        raise AttributeError(name)
    return Stub(f"{module}:{name}")


# origins[id(context)] = (context, absolute file, section), as
# ConfigLoader.get_context found it; paths[id(object)] = (object, path).
origins, paths = {}, {}


def take_notes():
    """Notes, without changing what Paste Deploy does, where each context
    came from, and the Python path that named each object."""
    get_context = loadwsgi.ConfigLoader.get_context

    def noting(self, object_type, name=None, global_conf=None):
        context = get_context(self, object_type, name=name, global_conf=global_conf)
        if not self.absolute_name(name):
            section = self.find_config_section(object_type, name=name)
            origins[id(context)] = (context, os.path.abspath(self.filename), section)
        return context

    loadwsgi.ConfigLoader.get_context = noting
    lookup_object = loadwsgi.lookup_object

    def looking_up(spec):
        try:
            obj = lookup_object(spec)
        except AttributeError:
            obj = stand_in_stub(spec.split(":")[0], spec)
        paths[id(obj)] = (obj, spec)
        return obj

    loadwsgi.lookup_object = looking_up
    load = importlib.metadata.EntryPoint.load

    def loading(entry_point):
        try:
            obj = load(entry_point)
        except AttributeError:
            obj = stand_in_stub(entry_point.module, entry_point.value)
        if entry_point.group is None:
            paths[id(obj)] = (obj, entry_point.module + (":" + entry_point.attr if entry_point.attr else ""))
        return obj

    importlib.metadata.EntryPoint.load = loading


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
        self.root_dir = os.path.dirname(os.path.abspath(path))

    def shown_path(self, absolute):
        """A file as -print names it: relative as -config was."""
        relative = os.path.relpath(absolute, self.root_dir)
        return os.path.normpath(os.path.join(os.path.dirname(self.path), relative))

    def node(self, context, naming=None):
        """The Node for context; naming is (file, section, key) of the
        option that named it, for a context a URI made."""
        origin = origins.get(id(context))
        if origin:
            _, file, section = origin
            label = section
            where = f"{self.shown_path(file)}:{section_line(file, section)}"
        else:
            label = factory_of(context)
            file, section, key = naming
            line = option_line(file, section, key) if key else None
            where = self.shown_path(file) + (f":{line}" if line else "")
        node = Node(context, label, where)
        kind = context.object_type
        here = (origin[1], origin[2]) if origin else naming[:2]
        if kind is loadwsgi.PIPELINE:
            node.children = [("", self.node(f, here + ("pipeline",))) for f in context.filter_contexts]
            node.children.append(("", self.node(context.app_context, here + ("pipeline",))))
        elif kind is loadwsgi.FILTER_APP:
            node.children = [("", self.own(context.filter_context, label, where, here)),
                             ("", self.node(context.next_context, here + ("next",)))]
        elif kind is loadwsgi.FILTER_WITH:
            node.children = [("", self.node(context.filter_context, here + ("filter-with",))),
                             ("", self.inner(context.next_context, label, where, here))]
        elif context.protocol in ("paste.composite_factory", "paste.composit_factory"):
            if context.object in (paste.urlmap.urlmap_factory, tutorial.urlmap_composite):
                self.urlmap(node, context, here)
            else:
                self.guess(node, context, here)
        return node

    def own(self, context, label, where, here):
        """A filter-app's filter: named by its use, or, if the section names
        its factory itself, shown as the section."""
        node = self.node(context, here + ("use",))
        if not origins.get(id(context)) and option_line(here[0], here[1], "use") is None:
            node.label, node.where = label, where
        return node

    def inner(self, context, label, where, here):
        """The app a filter-with wraps: shown as the section it is."""
        node = self.node(context, here + ("use",))
        node.label, node.where = label, where
        return node

    def urlmap(self, node, context, here):
        """Calls Paste's urlmap_factory with a loader that records the apps
        it loads, and shows them in the order it tries them."""
        made = {}

        class Recorder:
            def get_app(self, name=None, global_conf=None):
                token = object()
                made[id(token)] = (token, context.loader.get_context(
                    loadwsgi.APP, name=name, global_conf=global_conf), name)
                return token

        urlmap = paste.urlmap.urlmap_factory(Recorder(), context.global_conf, **context.local_conf)
        for (domain, path), token in urlmap.applications:
            _, app, name = made[id(token)]
            lead = (f"domain {domain} " if domain else "") + (path or "/") + " -> "
            node.children.append((lead, self.node(app, here + (key_of(context, name),))))
        found = made.get(id(urlmap.not_found_application))
        if found:
            node.children.append(("not_found_app -> ", self.node(found[1], here + ("not_found_app",))))

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
    if context.object_type in (loadwsgi.PIPELINE, loadwsgi.FILTER_APP, loadwsgi.FILTER_WITH):
        return None
    if context.distribution is not None:
        factory = f"egg:{context.distribution.metadata['Name']}#{context.entry_point_name}"
    elif isinstance(context.object, Stub):
        factory = context.object.path
    else:
        noted = paths.get(id(context.object))
        factory = noted[1] if noted else repr(context.object)
    return shown("", factory, secret_values(context))


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
    urlmap = context.object in (paste.urlmap.urlmap_factory, tutorial.urlmap_composite)
    guessed = {key for key, _ in node.guesses}
    gets = get_keys(context)
    for key, value in context.local_conf.items():
        if urlmap and context.protocol in ("paste.composite_factory", "paste.composit_factory") or key in guessed:
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
        lines.append(f"require = {require}  (Paste checks these are installed; step 04 does not)")
    return lines


def raw_option(context, key):
    """The raw value of key in the context's own section, or None."""
    origin = origins.get(id(context))
    if not origin:
        return None
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(origin[1], encoding="utf-8")
    return parser.get(origin[2], key, fallback=None) if parser.has_section(origin[2]) else None


def ignored_keys(context):
    """The keys of the context's section that Paste Deploy skipped, because
    its file's [DEFAULT] (with here and __file__) sets them too. (The Go
    step lists too those of the sections it uses.)"""
    origin = origins.get(id(context))
    if not origin:
        return []
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(origin[1], encoding="utf-8")
    if not parser.has_section(origin[2]):
        return []
    defaults = set(parser.defaults()) | {"here", "__file__"}
    return [(key, value) for key, value in parser._sections[origin[2]].items()
            if key in defaults and not key.startswith(("set ", "get "))]


def get_keys(context):
    """The local keys a get copied from the global conf, and from which."""
    origin = origins.get(id(context))
    if not origin:
        return {}
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(origin[1], encoding="utf-8")
    if not parser.has_section(origin[2]):
        return {}
    return {key[4:].strip(): value for key, value in parser.items(origin[2], raw=True)
            if key.startswith("get ")}


SECRET_STEMS = ("token", "password", "passwd", "secret", "key", "credential")


def looks_secret(name):
    """As the Go step's looksSecret: a word of the lowercased name, less
    one trailing s, ends in token, password, passwd, secret, key or
    credential."""
    for word in re.split(r"[^0-9a-z]+", name.lower(), flags=re.ASCII) if name.isascii() else \
            re.split(r"[\W_]+", name.lower()):
        word = word[:-1] if word.endswith("s") else word
        if word and word.endswith(SECRET_STEMS):
            return True
    return False


def secret_values(context):
    """The values of the context's options whose names look secret."""
    conf = {**context.global_conf, **context.local_conf}
    return {value for key, value in conf.items() if value and looks_secret(key)}


def shown(key, value, secrets, got_from=None):
    """A value as -print shows it: <hidden> if its name, or the global it
    was copied from, looks secret, or if it holds a secret's value."""
    if looks_secret(key) or (got_from and looks_secret(got_from)) or \
            any(secret in value for secret in secrets):
        return "<hidden>"
    return value


def to_json(node, above_global):
    """The node as -print -json writes it: Paste Deploy's fields, and the
    Go step's where and go_twin."""
    context = node.context
    secrets = secret_values(context)
    gets = get_keys(context)
    origin = origins.get(id(context))
    twin = twin_of(context)
    out = {
        "object_type": context.object_type.name,
        "protocol": context.protocol,
        "factory": factory_of(context),
        "section": origin[2] if origin else None,
        "file": origin[1] if origin else None,
        "local_conf": {k: shown(k, v, secrets, gets.get(k)) for k, v in context.local_conf.items()},
        "global_conf": {k: shown(k, v, secrets) for k, v in context.global_conf.items()},
        "where": node.where,
        "go_twin": twin[0] if twin else None,
    }
    kind = context.object_type
    children = [child for _, child in node.children]
    if kind is loadwsgi.PIPELINE:
        out["filters"] = [to_json(c, context.global_conf) for c in children[:-1]]
        out["app"] = to_json(children[-1], context.global_conf)
    elif kind in (loadwsgi.FILTER_APP, loadwsgi.FILTER_WITH):
        out["filter"] = to_json(children[0], context.global_conf)
        out["next"] = to_json(children[1], context.global_conf)
    return out


def load_tree(path, name):
    """Resolves the app called name as loadcontext does, and returns the
    Printer and the root Node. Modules that are not installed are stubbed,
    for -print only."""
    sys.meta_path.append(StubFinder())
    stub_distributions()
    take_notes()
    printer = Printer(path)
    try:
        context = loadwsgi.loadcontext(loadwsgi.APP, "config:" + os.path.abspath(path), name=name)
        return printer, printer.node(context, (os.path.abspath(path), None, None))
    except Exception as err:
        raise ConfigError(describe(err, path)) from None


def print_tree(path, name, as_json):
    """-print, and -print -json."""
    printer, root = load_tree(path, name)
    context = root.context
    defaults = context.loader.parser.defaults() if hasattr(context.loader, "parser") else {}
    if as_json:
        print(json.dumps(to_json(root, defaults), indent=2, sort_keys=True))
    else:
        printer.write(root, defaults)



class Swappable:
    """Serves the app stored last: SIGHUP stores a new one, and requests
    already inside the old one finish there."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        return self.app(environ, start_response)


class InFlight:
    """Counts the requests being handled, so that a shutdown can say how
    many it waits for, and how many it cut; in Go, countInFlight."""

    def __init__(self, app):
        self.app = app
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self.lock:
            self.count += 1
        return finish_first(self.app(environ, start_response), self.done)

    def done(self, size):
        with self.lock:
            self.count -= 1


class Handler(WSGIRequestHandler):
    """wsgiref's request handler, with a deadline for the request's headers,
    and without its line per request on stderr: AccessLog writes one."""

    # Any one read or write that stalls this long ends the connection: a
    # body trickled or a reader too slow; eventlet's socket timeout.
    timeout = MAX_SLEEP + 10

    # Huge headers eating memory get 431; nova's max_header_line.
    max_header_bytes = 16 << 10

    def setup(self):
        super().setup()
        # Slowloris, headers trickled to hold a connection, is cut when the
        # deadline passes; nova's client_socket_timeout.
        self.was_cut = False
        self.header_deadline = threading.Timer(
            self.server.read_header_timeout, self.cut)
        self.header_deadline.start()

    def cut(self):
        self.was_cut = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # it has closed already

    def parse_request(self):
        ok = super().parse_request()  # reads the headers
        self.header_deadline.cancel()
        if not ok or self.was_cut:
            return False  # answered already, or cut off
        size = sum(len(name) + len(value) + 4 for name, value in self.headers.items())
        if size > self.max_header_bytes:
            self.send_error(431)
            return False
        return True

    def finish(self):
        self.header_deadline.cancel()
        super().finish()

    def log_message(self, format, *args):
        pass


class Server(socketserver.ThreadingMixIn, WSGIServer):
    """wsgiref's server with a thread per connection: the twin of eventlet's
    wsgi.server, which gives each one a green thread."""

    daemon_threads = True  # the shutdown waits for requests, not threads

    def __init__(self, address, app, read_header_timeout, logger):
        self.read_header_timeout = read_header_timeout
        self.logger = logger
        self.connections = 0  # open, from accept to close
        self.changed = threading.Condition()
        super().__init__(address, Handler)
        self.set_app(app)

    def process_request(self, request, client_address):
        with self.changed:
            self.connections += 1
        super().process_request(request, client_address)  # starts a thread

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self.changed:
                self.connections -= 1
                self.changed.notify_all()

    def wait_idle(self, timeout):
        """Waits until every connection has been answered and closed, for
        timeout seconds at most, and reports whether they have."""
        with self.changed:
            return self.changed.wait_for(lambda: self.connections == 0, timeout)

    def shutdown_request(self, request):
        """Ends a connection after its answer, reading (a bounded amount
        of) what the client still sends, so that a client whose body was
        refused reads the answer rather than a reset; net/http does so."""
        try:
            request.shutdown(socket.SHUT_WR)
            request.settimeout(1)
            drained = 0
            while drained < 256 << 10:
                chunk = request.recv(64 << 10)
                if not chunk:
                    break
                drained += len(chunk)
        except OSError:
            pass
        self.close_request(request)

    def handle_error(self, request, client_address):
        """Logs a connection's error in one line, not a traceback."""
        err = sys.exc_info()[1]
        what = "TLS handshake error" if isinstance(err, ssl.SSLError) else "error"
        self.logger.warning(logfmt(
            f"{what} from {client_address[0]}:{client_address[1]}: {err}"))


SIGNALS = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP}


def wait_and_shut_down(httpd, in_flight, hangups, timeout):
    """Waits for a signal. SIGHUP asks the reloader for a reload, and waits
    for no reload itself. SIGINT or SIGTERM shuts httpd down gracefully:
    it stops accepting, lets the requests in flight finish within timeout,
    and returns the exit status; a second one exits at once. oslo.service
    does this on SIGHUP and SIGTERM; in Go, the signal.Notify channels."""
    sig = signal.sigwait(SIGNALS)
    while sig == signal.SIGHUP:
        ask_reload(hangups)
        sig = signal.sigwait(SIGNALS)
    print(f"{signal.strsignal(sig).lower()}: shutting down, waiting up to "
          f"{format_duration(timeout)} for requests in flight: {in_flight.count}",
          file=sys.stderr)
    threading.Thread(target=exit_on_second_signal, args=(in_flight, hangups),
                     daemon=True).start()
    httpd.shutdown()      # serve_forever returns: nothing more is accepted
    httpd.socket.close()  # and new connections are refused
    if not httpd.wait_idle(timeout):
        print(f"shutdown: gave up waiting after {format_duration(timeout)}; "
              f"requests cut: {in_flight.count}", file=sys.stderr)
        return 1
    print("shutdown complete", file=sys.stderr)
    return 0


def exit_on_second_signal(in_flight, hangups):
    sig = signal.sigwait(SIGNALS)
    while sig == signal.SIGHUP:
        ask_reload(hangups)
        sig = signal.sigwait(SIGNALS)
    print(f"{signal.strsignal(sig).lower()} again: exiting now; "
          f"requests cut: {in_flight.count}", file=sys.stderr)
    os._exit(1)


def ask_reload(hangups):
    """Asks the reloader for a reload, unless one is waiting already: the
    queue holds one, as the Go step's channel does, so the SIGHUPs that
    come during a reload make one more reload, and asking never waits."""
    try:
        hangups.put_nowait(True)
    except queue.Full:
        pass


def reload_each(hangups, reload):
    """The reloader: runs reload once for each request in hangups, one at a
    time and off the signal loop, until it takes None."""
    for _ in iter(hangups.get, None):
        reload()


def check_config_file(path):
    """Refuses, before Paste Deploy's loader opens it, a config that could
    hang a reload or fill memory: anything but a regular file (opening a
    FIFO waits for a writer; /dev/zero never ends), and a file over
    MAX_CONFIG_SIZE; in Go, readConfigFile."""
    try:
        info = os.stat(path)
    except OSError:
        return  # the loader says what is wrong
    if stat.S_ISDIR(info.st_mode):
        raise ConfigError(f"{path} is a directory, not a config file")
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"{path} is not a regular file: a pipe or a device "
                          "could keep a read waiting forever")
    if info.st_size > MAX_CONFIG_SIZE:
        raise ConfigError(f"{path} is {info.st_size} bytes, over the "
                          f"{MAX_CONFIG_SIZE} a config may have")


# MAX_CONFIG_SIZE bounds a config file, as in the Go step.
MAX_CONFIG_SIZE = 16 << 20


# The shipped config, found from the repository's root, where the tutorial
# runs every command.
DEFAULT_CONFIG = "steps/04-pipeline/api-paste.ini"


def remove_pidfile(path):
    if path is not None:
        try:
            os.remove(path)
        except OSError:
            pass


def usage_error(message):
    print(f"{PROG}: {message}", file=sys.stderr)
    sys.exit(2)


def main():
    note_loaders()
    parser = argparse.ArgumentParser(prog=PROG, usage=argparse.SUPPRESS)
    parser.add_argument("-addr", default="localhost:8080", metavar="host:port",
                        help="listen on host:port (default %(default)s)")
    parser.add_argument("-config", default=DEFAULT_CONFIG,
                        metavar="file", help="the Paste Deploy-style config "
                        "file (default %(default)s)")
    parser.add_argument("-name", default="main", metavar="section",
                        help="the app, pipeline or composite section to serve "
                             "(default %(default)s)")
    parser.add_argument("-print", action="store_true",
                        help="print what the config builds, and exit")
    parser.add_argument("-json", action="store_true",
                        help="with -print, print it as JSON, for tools")
    parser.add_argument("-shutdown-timeout", type=duration,
                        default="10s", metavar="duration",
                        help="on SIGINT or SIGTERM, wait this long for "
                             "requests in flight (default %(default)s)")
    parser.add_argument("-read-header-timeout", type=duration,
                        default="5s", metavar="duration",
                        help="disconnect a client that takes longer to send "
                             "its headers (default %(default)s)")
    parser.add_argument("-tls-cert", metavar="file",
                        help="serve HTTPS with this certificate file (PEM); "
                             "needs -tls-key")
    parser.add_argument("-tls-key", metavar="file",
                        help="the private key file (PEM) for -tls-cert")
    parser.add_argument("-pidfile", metavar="file",
                        help="while serving, keep the process id in this "
                             "file, for kill -HUP $(cat file)")
    args = parser.parse_args()
    if args.json and not args.print:
        usage_error("-json goes with -print")
    if (args.tls_cert is None) != (args.tls_key is None):
        usage_error("-tls-cert and -tls-key go together: give both, or neither")
    host, colon, port = args.addr.rpartition(":")
    if not colon or not (port.isascii() and port.isdigit()):
        usage_error(f"-addr {json.dumps(args.addr)} is not host:port, such as "
                    "localhost:8080 (or :8080, to listen on every interface)")
    if args.config == DEFAULT_CONFIG and not os.path.exists(DEFAULT_CONFIG):
        usage_error(f"no {DEFAULT_CONFIG} in {os.getcwd()}: run from the "
                    "repository's root, or give -config path/to/api-paste.ini")
    logging.basicConfig(
        format="time=%(asctime)s level=%(levelname)s msg=%(message)s",
        datefmt="%Y-%m-%dT%H:%M:%S%z", level=logging.INFO)
    logging.addLevelName(logging.WARNING, "WARN")  # as slog names it
    logger = logging.getLogger()

    try:
        check_config_file(args.config)
        if args.print:
            print_tree(args.config, args.name, args.json)
            return
        app = load_app(args.config, args.name)
    except ConfigError as err:
        usage_error(err)  # a config mistake is a usage mistake: status 2
    handler = Swappable(app)

    def reload():
        try:
            check_config_file(args.config)
            handler.app = load_app(args.config, args.name)
        except ConfigError as err:
            print(f"hangup: reload failed, still serving the previous "
                  f"pipeline: {err}", file=sys.stderr)
            return
        print(f"hangup: reloaded {args.config}", file=sys.stderr)

    context, scheme = None, "http"
    if args.tls_cert is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        try:
            context.load_cert_chain(args.tls_cert, args.tls_key)
        except OSError as err:
            sys.exit(f"{PROG}: loading -tls-cert and -tls-key: {err}")
        scheme = "https"

    # Block the signals before listening, and before any thread starts:
    # once "listening on" is printed, Ctrl-C must already mean "shut down
    # gracefully", and only sigwait receives it.
    signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)

    # The pid file is there before a client can connect, and gone at exit.
    if args.pidfile is not None:
        try:
            with open(args.pidfile, "w") as f:
                f.write(f"{os.getpid()}\n")
        except OSError as err:
            sys.exit(f"{PROG}: -pidfile: {err}")

    # Listen first, so a taken port or a bad address fails here, in one line.
    in_flight = InFlight(handler)
    try:
        httpd = Server((host, int(port)), in_flight,
                       args.read_header_timeout, logger)
    except (OSError, OverflowError) as err:
        remove_pidfile(args.pidfile)
        sys.exit(f"{PROG}: listen on {args.addr}: {err}")
    if context is not None:
        # The handshake happens on the first read, in the connection's own
        # thread, so a slow or failed one holds up no other client.
        httpd.socket = context.wrap_socket(httpd.socket, server_side=True,
                                           do_handshake_on_connect=False)
    host, port = httpd.server_address[:2]
    print(f"listening on {scheme}://{host}:{port}", file=sys.stderr)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    hangups = queue.Queue(maxsize=1)
    reloader = threading.Thread(target=reload_each, args=(hangups, reload),
                                daemon=True)
    reloader.start()
    status = wait_and_shut_down(httpd, in_flight, hangups, args.shutdown_timeout)
    # A SIGHUP that came before the end is not lost: let the reloader
    # finish the reloads asked for.
    hangups.put(None)
    reloader.join()
    remove_pidfile(args.pidfile)
    sys.exit(status)


if __name__ == "__main__":
    main()
