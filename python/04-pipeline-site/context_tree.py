"""The tree of contexts the real Paste Deploy resolves a config into, as
paste.deploy.loadwsgi.loadcontext returns it, for the step-04 twin's
-print and for the conformance recorder (paste_tree.py): one module, so
that both see the same tree. It never calls a factory.

Paste Deploy runs as it is. Two things are added, so that it resolves a
config without the services the config names, and so that the tree can
be read:

- Stubs, found after everything installed, through the import system's
  own hooks: a module that is not installed is a stub whose every
  attribute is a stub, and a distribution that is not installed has the
  entry points the config's sections imply (a [filter:]'s use is a
  paste.filter_factory, a [composite:]'s a paste.composite_factory,
  anything else a paste.app_factory). A piece a stand-in module
  (04-pipeline-site/standins) lacks is a stub too.
- Notes, the one thing patched: LoaderContext keeps neither the section
  it came from nor the Python path that named its factory, so install()
  wraps the three functions that find them, and notes what they return.
"""
import importlib.abc
import importlib.machinery
import importlib.metadata
import os
import re
import sys

from paste.deploy import loadwsgi
import paste.urlmap

from config_errors import read_configs, values

STANDINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standins")


class Stub:
    """Stands in for an object of a module that is not installed."""

    def __init__(self, path):
        self.path = path

    def __getattr__(self, name):
        if not name.isidentifier() or name.startswith("__"):
            raise AttributeError(name)
        return Stub(f"{self.path}.{name}")

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{self.path} is a stub: it is not installed")


def stub_factory(*args, **kwargs):
    """What a stub distribution's entry points load."""
    raise RuntimeError("a stub: it is not installed")


class StubDistribution(importlib.metadata.Distribution):
    """A distribution that is not installed, with the entry points asked
    of it: entries holds (group, name) pairs."""

    def __init__(self, name, entries):
        self.stub_name, self.entries = name, entries

    def read_text(self, filename):
        if filename == "METADATA":
            return f"Metadata-Version: 2.1\nName: {self.stub_name}\nVersion: 0\n"
        if filename == "entry_points.txt":
            groups = sorted({group for group, _ in self.entries})
            return "".join(f"[{group}]\n" + "".join(
                f"{name} = context_tree:stub_factory\n" for g, name in sorted(self.entries) if g == group)
                for group in groups)
        return None

    def locate_file(self, path):
        return path


class Stubs(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: finds, after every real finder has failed, a
    stub module, and a StubDistribution for a distribution in wanted."""

    def __init__(self):
        self.wanted = {}  # normalized distribution name -> {(group, entry name)}

    def find_spec(self, fullname, path, target=None):
        if all(part.isidentifier() for part in fullname.split(".")):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__path__ = []
        module.__getattr__ = lambda name: stub_attr(module.__name__, name)

    def find_distributions(self, context=importlib.metadata.DistributionFinder.Context()):
        if context.name is None or normalize(context.name) not in self.wanted:
            return []
        return [StubDistribution(context.name, self.wanted[normalize(context.name)])]


def stub_attr(module, name):
    if not name.isidentifier() or name.startswith("__"):
        raise AttributeError(name)
    return Stub(f"{module}:{name}")


def normalize(dist):
    return re.sub(r"[-_.]+", "_", dist).lower()


STUBS = Stubs()

EGG = re.compile(r"(?i)egg:([^#\s]+)(?:#(\S+))?")


def wanted_entry_points(path, name):
    """The entry points of each distribution that the config at path, and
    the files its config: URIs name, imply: {normalized name: {(group,
    entry name)}}, by their sections' types; a require names one too."""
    wanted = {}

    def want(value, group):
        for dist, entry in EGG.findall(value):
            wanted.setdefault(normalize(dist), set()).add((group, entry or "main"))

    want(name, "paste.app_factory")
    for parser in read_configs(path).values():
        for section in parser.sections():
            kind = section.split(":", 1)[0]
            for key in parser[section]:
                for value in values(parser, section, key):
                    if key == "use":
                        want(value, {"filter": "paste.filter_factory",
                                     "filter-app": "paste.filter_factory",
                                     "composite": "paste.composite_factory",
                                     "composit": "paste.composite_factory"}.get(kind, "paste.app_factory"))
                    elif key == "filter-with":
                        want(value, "paste.filter_factory")
                    elif key == "pipeline":
                        words = value.split()
                        for word in words[:-1]:
                            want(word, "paste.filter_factory")
                        want(" ".join(words[-1:]), "paste.app_factory")
                    elif key == "require":
                        for dist in value.split():
                            wanted.setdefault(normalize(dist), set())
                    else:
                        want(value, "paste.app_factory")
    return wanted


# origins[id(context)] = (context, absolute file, section), as
# ConfigLoader.get_context found it; paths[id(object)] = (object, path).
origins, paths = {}, {}


def install():
    """Puts the stubs last on sys.meta_path, and notes, without changing
    what Paste Deploy does, where each context came from and the Python
    path that named each object."""
    sys.meta_path.append(STUBS)
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
        if entry_point.group is None:  # a paste.*_factory value, not an egg's
            paths[id(obj)] = (obj, entry_point.module + (":" + entry_point.attr if entry_point.attr else ""))
        return obj

    importlib.metadata.EntryPoint.load = loading


def stand_in_stub(module, path):
    """A stub for an object a stand-in module lacks: the stand-ins hold
    only the pieces the twin has, and -print shows the rest as not
    installed. Any other missing object is an error, as in Paste Deploy."""
    if not getattr(sys.modules.get(module), "__file__", "").startswith(STANDINS + os.sep):
        raise
    return Stub(path.replace(" ", ""))


def resolve(path, name):
    """The context of the app called name in the config at path, as
    loadcontext resolves it, with stubs for what the config names and is
    not installed. install() first."""
    STUBS.wanted = wanted_entry_points(path, name)
    return loadwsgi.loadcontext(loadwsgi.APP, "config:" + os.path.abspath(path), name=name)


def origin(context):
    """(absolute file, section) the context came from, or None: a context
    an egg: or call: URI made has none."""
    noted = origins.get(id(context))
    return noted[1:] if noted else None


def factory(context):
    """What names the context's factory: egg:Dist#name, or module:attr;
    None for a pipeline, a filter-app or a filter-with."""
    if context.object_type in (loadwsgi.PIPELINE, loadwsgi.FILTER_APP, loadwsgi.FILTER_WITH):
        return None
    if context.distribution is not None:
        return f"egg:{context.distribution.metadata['Name']}#{context.entry_point_name}"
    if isinstance(context.object, Stub):
        return context.object.path
    noted = paths.get(id(context.object))
    return noted[1] if noted else repr(context.object)


def is_composite(context):
    return context.protocol in ("paste.composite_factory", "paste.composit_factory")


def urlmap_apps(context):
    """Calls Paste's urlmap_factory on the context's options, as APP.invoke
    would, with a loader that resolves each app's context rather than
    creating it, and returns the apps it mounts, in the order it tries
    them, as (domain, path, name, context), and its not_found_app as
    (name, context), or None."""
    made = {}

    class Recorder:
        def get_app(self, name=None, global_conf=None):
            token = object()
            made[id(token)] = (token, name, context.loader.get_context(
                loadwsgi.APP, name=name, global_conf=global_conf))
            return token

    urlmap = paste.urlmap.urlmap_factory(Recorder(), context.global_conf, **context.local_conf)
    apps = [(domain, path) + made[id(token)][1:] for (domain, path), token in urlmap.applications]
    found = made.get(id(urlmap.not_found_application))
    return apps, found[1:] if found else None


def dump(context):
    """The context as JSON, with what it contains, as the recorder writes
    it: Paste Deploy's fields, and where get_context found it."""
    kind = context.object_type
    found = origin(context)
    tree = {
        "object_type": kind.name,
        "protocol": context.protocol,
        "factory": factory(context),
        "section": found[1] if found else None,
        "file": found[0] if found else None,
        "local_conf": dict(context.local_conf),
        "global_conf": dict(context.global_conf),
    }
    if kind is loadwsgi.PIPELINE:
        tree["app"] = dump(context.app_context)
        tree["filters"] = [dump(f) for f in context.filter_contexts]
    elif kind is loadwsgi.FILTER_APP:
        tree["next"] = dump(context.next_context)
        tree["filter"] = dump(context.filter_context)
    elif kind is loadwsgi.FILTER_WITH:
        tree["filter"] = dump(context.filter_context)
        tree["next"] = dump(context.next_context)
    elif context.object is paste.urlmap.urlmap_factory and is_composite(context):
        apps, not_found = urlmap_apps(context)
        tree["urlmap"] = {
            "apps": [{"domain": domain or None, "path": path, "app": dump(app)} for domain, path, _, app in apps],
            "not_found_app": dump(not_found[1]) if not_found else None,
        }
    return tree
