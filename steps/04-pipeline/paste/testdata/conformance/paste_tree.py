"""Dumps the tree of contexts the real Paste Deploy resolves a config into,
as JSON, for step 04's conformance test to compare with its own.

    paste_tree.py CASE.ini...           one JSON object, by case
    paste_tree.py --write CASE.ini...   CASE.json next to each case

It runs sealed, as the conformance test runs it (internal/python): an
isolated python3 that sees the standard library, Paste Deploy and Paste,
and nothing else installed, so that a recording is Paste Deploy's on any
machine. Record the corpus again with

    go test . -run TestPasteDeployRecordings -update

A case loads the section its "# -name NAME" comment names, or main. Its tree
is paste.deploy.loadwsgi.loadcontext(APP, "config:CASE", name) as it is;
below each composite made by Paste's own urlmap_factory, the apps that
factory loads, found by calling it with a loader that resolves each app's
context rather than creating it. A case Paste refuses records "refused"
and the exception instead.

Nothing of Paste Deploy is changed. Two things are added, so that it runs
without the services the configs name, and so that the tree can be read:

- Stubs. A distribution that is not installed is stood in for by one
  whose entry points each config's sections imply (a [filter:]'s use is a
  paste.filter_factory, a [composite:]'s a paste.composite_factory,
  anything else a paste.app_factory), and a module that is not installed
  by a stub whose every attribute is a stub. Installed distributions and
  modules are used as they are; so is the step-04 twin's own distribution
  "tutorial", from python/04-pipeline-site.
- Notes. Which section get_context found for a context, and which Python
  path named its factory, are noted as Paste Deploy finds them.

Paths under the case's folder are written as <dir>.
"""
import configparser
import importlib.abc
import importlib.machinery
import importlib.metadata
import json
import os
import re
import sys
import tempfile

from paste.deploy import loadwsgi
import paste.urlmap

# Leave no __pycache__ behind in the repository.
sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
TWIN_SITE = os.path.join(HERE, "..", "..", "..", "..", "..", "python", "04-pipeline-site")

# origins[id(context)] = (file, section): where get_context found it.
origins = {}
# paths[id(object)] = (object, "module:attr"): the Python path that named it.
paths = {}


def note_sections():
    """Notes, for each context ConfigLoader.get_context returns, the file
    and section it found."""
    get_context = loadwsgi.ConfigLoader.get_context

    def noting(self, object_type, name=None, global_conf=None):
        context = get_context(self, object_type, name=name, global_conf=global_conf)
        if not self.absolute_name(name):
            section = self.find_config_section(object_type, name=name)
            origins[id(context)] = (context, os.path.abspath(self.filename), section)
        return context

    loadwsgi.ConfigLoader.get_context = noting


def note_paths():
    """Notes the Python path that names each object Paste Deploy loads by
    one: paste.*_factory = module:attr, and call:module:attr."""
    load = importlib.metadata.EntryPoint.load

    def loading(entry_point):
        obj = load(entry_point)
        if entry_point.group is None:  # a paste.*_factory value, not an egg's
            path = entry_point.module + (":" + entry_point.attr if entry_point.attr else "")
            paths[id(obj)] = (obj, path)
        return obj

    importlib.metadata.EntryPoint.load = loading
    lookup_object = loadwsgi.lookup_object

    def looking_up(spec):
        obj = lookup_object(spec)
        paths[id(obj)] = (obj, spec)
        return obj

    loadwsgi.lookup_object = looking_up


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


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds, after every real finder has failed, a stub module for a
    module that is not installed."""

    def find_spec(self, fullname, path, target=None):
        if all(part.isidentifier() for part in fullname.split(".")):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        module.__path__ = []
        module.__getattr__ = lambda name: Stub(f"{module.__name__}:{name}") \
            if name.isidentifier() and not name.startswith("__") else _no(name)


def _no(name):
    raise AttributeError(name)


EGG = re.compile(r"(?i)egg:([^#\s]+)(?:#(\S+))?")


def stub_distributions(case, name, folder):
    """Writes into folder a stand-in distribution for each one the case's
    files name and that is not installed, with the entry points their
    sections imply."""
    wanted = {}  # dist -> {(group, name)}
    requires = set()

    def want(value, group):
        for dist, entry in EGG.findall(value):
            wanted.setdefault(dist, set()).add((group, entry or "main"))

    want(name, "paste.app_factory")
    for path in files_of(case):
        parser = configparser.ConfigParser(strict=False, interpolation=None)
        parser.optionxform = str
        try:
            with open(path, encoding="utf-8") as f:
                parser.read_file(f)
        except (OSError, configparser.Error, UnicodeDecodeError):
            continue
        for section in parser.sections():
            typ = section.split(":", 1)[0]
            for key, value in parser.items(section, raw=True):
                if key == "use":
                    group = {"filter": "paste.filter_factory",
                             "filter-app": "paste.filter_factory",
                             "composite": "paste.composite_factory",
                             "composit": "paste.composite_factory"}.get(typ, "paste.app_factory")
                    want(value, group)
                elif key == "filter-with":
                    want(value, "paste.filter_factory")
                elif key == "pipeline":
                    words = value.split()
                    for word in words[:-1]:
                        want(word, "paste.filter_factory")
                    want(" ".join(words[-1:]), "paste.app_factory")
                elif key == "require":
                    requires.update(value.split())
                else:
                    want(value, "paste.app_factory")
    for dist in requires:
        wanted.setdefault(dist, set())
    for dist, entries in wanted.items():
        try:
            importlib.metadata.distribution(dist)
            continue  # installed: used as it is
        except (importlib.metadata.PackageNotFoundError, ValueError):
            pass
        info = os.path.join(folder, f"{normalize(dist)}-0.dist-info")
        os.makedirs(info, exist_ok=True)
        with open(os.path.join(info, "METADATA"), "w") as f:
            f.write(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0\n")
        groups = {}
        for group, entry in sorted(entries):
            groups.setdefault(group, []).append(entry)
        with open(os.path.join(info, "entry_points.txt"), "w") as f:
            for group, names in groups.items():
                f.write(f"[{group}]\n")
                for entry in names:
                    f.write(f"{entry} = paste_tree_stub:factory\n")


def normalize(dist):
    return re.sub(r"[-_.]+", "_", dist).lower()


def files_of(case):
    """The case and the files its config: URIs name, as far as they exist."""
    seen, todo = [], [os.path.abspath(case)]
    while todo:
        path = todo.pop()
        if path in seen or not os.path.isfile(path):
            continue
        seen.append(path)
        with open(path, encoding="utf-8", errors="replace") as f:
            for ref in re.findall(r"(?i)config:([^#\s]+)", f.read()):
                todo.append(os.path.join(os.path.dirname(path), ref))
    return seen


class AppRecorder:
    """A loader for a composite factory: get_app resolves the app's context
    and returns a token for it, creating nothing."""

    def __init__(self, loader):
        self.loader = loader
        self.made = {}

    def get_app(self, name=None, global_conf=None):
        context = self.loader.get_context(loadwsgi.APP, name=name, global_conf=global_conf)
        token = object()
        self.made[id(token)] = (token, context)
        return token


def dump(context):
    """The context as JSON, with what it contains, in the order Paste
    Deploy would create it."""
    kind = context.object_type
    origin = origins.get(id(context))
    tree = {
        "object_type": kind.name,
        "protocol": context.protocol,
        "factory": factory_of(context),
        "section": origin[2] if origin else None,
        "file": origin[1] if origin else None,
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
    elif context.object is paste.urlmap.urlmap_factory and \
            context.protocol in ("paste.composite_factory", "paste.composit_factory"):
        tree["urlmap"] = dump_urlmap(context)
    return tree


def dump_urlmap(context):
    """Calls Paste's urlmap_factory as APP.invoke would, with a recording
    loader, and returns the apps it mounts and its not_found_app."""
    recorder = AppRecorder(context.loader)
    urlmap = context.object(recorder, context.global_conf, **context.local_conf)
    apps = []
    for (domain, path), token in urlmap.applications:
        apps.append({"domain": domain or None, "path": path,
                     "app": dump(recorder.made[id(token)][1])})
    not_found = recorder.made.get(id(urlmap.not_found_application))
    return {"apps": apps, "not_found_app": dump(not_found[1]) if not_found else None}


def factory_of(context):
    """What names the context's factory: egg:Dist#name, or module:attr."""
    if context.object_type in (loadwsgi.PIPELINE, loadwsgi.FILTER_APP, loadwsgi.FILTER_WITH):
        return None
    if context.distribution is not None:
        return f"egg:{context.distribution.metadata['Name']}#{context.entry_point_name}"
    noted = paths.get(id(context.object))
    return noted[1] if noted else repr(context.object)


def name_of(case):
    """The section a case loads: its "# -name NAME" comment, or main."""
    with open(case, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"#\s*-name\s+(\S+)\s*$", line)
            if m:
                return m.group(1)
    return "main"


def record(case):
    """The case's tree, or Paste Deploy's refusal of it."""
    name = name_of(case)
    try:
        tree = dump(loadwsgi.loadcontext(loadwsgi.APP, "config:" + os.path.abspath(case), name=name))
    except Exception as err:  # any refusal: LookupError, ValueError, ImportError...
        # Where Python meets its recursion limit, and so the end of its
        # message, depends on the frames below Paste Deploy's, not on it.
        refused = re.sub(r"(maximum recursion depth exceeded).*", r"\1", f"{type(err).__name__}: {err}")
        return {"name": name, "refused": refused}
    return {"name": name, "tree": tree}


def relative(value, folder):
    """value with folder written as <dir>, throughout."""
    if isinstance(value, str):
        return value.replace(folder, "<dir>")
    if isinstance(value, list):
        return [relative(v, folder) for v in value]
    if isinstance(value, dict):
        return {k: relative(v, folder) for k, v in value.items()}
    return value


def main():
    if not (sys.flags.isolated and sys.flags.no_site):
        sys.exit("paste_tree.py runs sealed, or it would record what else is installed for this "
                 "python3: record the corpus with: go test . -run TestPasteDeployRecordings -update")
    write = sys.argv[1:2] == ["--write"]
    cases = sys.argv[2:] if write else sys.argv[1:]
    sys.path.insert(0, os.path.abspath(TWIN_SITE))
    stubs = tempfile.mkdtemp(prefix="paste-tree-")
    with open(os.path.join(stubs, "paste_tree_stub.py"), "w") as f:
        f.write("def factory(*args, **kwargs):\n    raise RuntimeError('a stub')\n")
    sys.path.insert(0, stubs)
    sys.meta_path.append(StubFinder())
    note_sections()
    note_paths()
    results = {}
    for i, case in enumerate(cases):
        # Each case gets stand-in distributions of its own.
        dists = os.path.join(stubs, str(i))
        os.makedirs(dists)
        stub_distributions(case, name_of(case), dists)
        sys.path.insert(0, dists)
        importlib.invalidate_caches()
        result = relative(record(case), os.path.dirname(os.path.abspath(case)))
        sys.path.remove(dists)
        results[os.path.basename(case)] = result
        if write:
            with open(os.path.splitext(case)[0] + ".json", "w") as f:
                json.dump(result, f, indent=2, sort_keys=True)
                f.write("\n")
    if not write:
        json.dump(results, sys.stdout, indent=2, sort_keys=True)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
