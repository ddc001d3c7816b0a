"""Lays out a sealed site: links to the files of the distributions named,
and of what they require, in one folder, for a python3 that runs with -I -S
and that folder alone on sys.path beside the standard library.

    python3 -c "$(cat seal.py)" SITE DIST...

Run it as the learner's python3 runs: with its site, so that it finds the
distributions where that python3 finds them. It prints one JSON object:
the interpreter, its version, and the version of each distribution it
linked, by normalised name (pastedeploy). A distribution that is not
installed is left out. A name no distribution has, but that is a
top-level module of one file installed without metadata (Debian's
python3-cffi-backend installs _cffi_backend so), is linked as that file,
and listed under "modules". On a python3 older than 3.9 it prints the version
alone; a fault of its own, as "error".
"""
import sys

if sys.version_info < (3, 9):  # before the imports an old python3 lacks
    print('{"version": "%d.%d.%d"}' % sys.version_info[:3])
    sys.exit(0)

import importlib.metadata  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import importlib.util  # noqa: E402
import sysconfig  # noqa: E402
import traceback  # noqa: E402


def requirement_names(dist):
    """The distributions dist requires, but for an extra's: a requirement
    behind another marker (an older Python, another platform) is followed
    too, and left out later if it is not installed."""
    for requirement in dist.requires or []:
        if "extra" not in requirement.partition(";")[2]:
            yield re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip()).group(0)


def normalize(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(names):
    """The installed distributions among names and what they require, by
    normalised name."""
    found, todo = {}, list(names)
    while todo:
        name = todo.pop()
        key = normalize(name)
        if key in found:
            continue
        try:
            found[key] = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            found[key] = None
            continue
        todo.extend(requirement_names(found[key]))
    return {key: dist for key, dist in found.items() if dist is not None}


def listed(dist):
    """The files dist's record lists, as paths below its folder on
    sys.path, or None where it lists none (an egg-info folder)."""
    if dist.files is None:
        return None
    return [str(f) for f in dist.files if ".." not in f.parts and "__pycache__" not in f.parts]


def tops(dist):
    """The top-level names dist installs."""
    files = listed(dist)
    if files:
        return {f.split("/")[0].split(".")[0] for f in files}
    return set((dist.read_text("top_level.txt") or "").split())


def unlisted(dist, claimed):
    """The files of dist, which lists none, that are its own: its
    metadata, its top-level modules, and every file below a top-level
    package no other distribution installs into (a namespace package's
    folder is shared, and Debian's setuptools names "debian" too)."""
    base = str(dist.locate_file(""))
    files = [os.path.relpath(os.path.join(str(dist._path), f), base) for f in os.listdir(str(dist._path))]
    for top in tops(dist):
        for entry in os.listdir(base):
            path = os.path.join(base, entry)
            if os.path.isfile(path) and entry.split(".")[0] == top:
                files.append(entry)
            elif os.path.isdir(path) and entry == top and claimed.get(top, 0) == 1:
                for folder, dirs, names in os.walk(path):
                    dirs[:] = [d for d in dirs if d != "__pycache__"]
                    files.extend(os.path.relpath(os.path.join(folder, n), base) for n in names)
    return files


def link(site, dist, claimed):
    """Links each file of dist into site, in folders of site's own: a link
    is only ever to a file, so nothing is ever written through one."""
    base = str(dist.locate_file(""))
    files = listed(dist)
    if files is None:
        files = unlisted(dist, claimed)
    for path in files + [cached(base, f) for f in files if f.endswith(".py")]:
        source, target = os.path.join(base, path), os.path.join(site, path)
        if not os.path.isfile(source) or os.path.lexists(target):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(source, target)


def bare_module(name):
    """The file of name, a top-level module of one file outside the
    standard library, or None."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.has_location or spec.submodule_search_locations is not None:
        return None
    stdlib = {sysconfig.get_path("stdlib"), sysconfig.get_path("platstdlib")}
    if os.path.dirname(spec.origin) in stdlib or "." in name:
        return None
    return spec.origin


def cached(base, path):
    """The byte-code Python keeps of the source at path, if any: linked
    too, a sealed run need not compile it again (python3 checks it against
    the source's size and time, the same through a link)."""
    folder, name = os.path.split(path)
    return os.path.join(folder, "__pycache__", f"{name[:-3]}.{sys.implementation.cache_tag}.pyc")


def main():
    site, names = sys.argv[1], sys.argv[2:]
    result = {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3]}
    try:
        dists = closure(names)
        claimed = {}  # top-level name: how many distributions install into it
        for dist in importlib.metadata.distributions():
            for top in tops(dist):
                claimed[top] = claimed.get(top, 0) + 1
        for dist in dists.values():
            link(site, dist, claimed)
        result["linked"] = {key: dist.version for key, dist in dists.items()}
        modules = {}
        for name in names:
            origin = None if normalize(name) in dists else bare_module(name)
            target = origin and os.path.join(site, os.path.basename(origin))
            if origin and not os.path.lexists(target):
                os.symlink(origin, target)
            if origin:
                modules[name] = origin
        if modules:
            result["modules"] = modules
    except Exception:  # a fault of seal.py's own, for the harness to show
        result["error"] = traceback.format_exc()
    json.dump(result, sys.stdout)


main()
