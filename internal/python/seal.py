"""Lays out a sealed site: links to the files of the distributions named,
and of what they require, in one folder, for a python3 that runs with -I -S
and that folder alone on sys.path beside the standard library.

    python3 -c "$(cat seal.py)" SITE DIST...

Run it as the learner's python3 runs: with its site, so that it finds the
distributions where that python3 finds them. It prints one JSON object:
the interpreter, its version, and the version of each distribution it
linked, by normalised name (pastedeploy). A distribution that is not
installed is left out. On a python3 older than 3.9 it prints the version
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
import traceback  # noqa: E402


def requirement_names(dist):
    """The distributions dist requires unconditionally: a requirement
    behind a marker (an extra, an older Python, another platform) is
    not followed."""
    for requirement in dist.requires or []:
        if ";" not in requirement:
            yield re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement.strip()).group(0)


def closure(names):
    """The installed distributions among names and what they require, by
    normalised name."""
    found, todo = {}, list(names)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in found:
            continue
        try:
            found[key] = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            found[key] = None
            continue
        todo.extend(requirement_names(found[key]))
    return {key: dist for key, dist in found.items() if dist is not None}


def files_of(dist):
    """(source, path in the site) for each file of dist: those its record
    lists, or, where it lists none (an egg-info folder), its top-level
    names and its metadata folder whole."""
    base = dist.locate_file("")
    listed = [f for f in dist.files or [] if ".." not in f.parts and "__pycache__" not in f.parts]
    if listed:
        return [(str(dist.locate_file(f)), str(f)) for f in listed]
    metadata = str(dist._path)  # the .egg-info or .dist-info folder
    pairs = [(metadata, os.path.basename(metadata))]
    for top in (dist.read_text("top_level.txt") or "").split():
        for entry in os.listdir(base):
            if entry == top or entry.split(".")[0] == top and os.path.isfile(os.path.join(base, entry)):
                pairs.append((os.path.join(base, entry), entry))
    return pairs


def link(site, dist):
    for source, path in files_of(dist):
        target = os.path.join(site, path)
        if not os.path.exists(source) or os.path.lexists(target):
            continue
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.symlink(source, target)


def main():
    site, names = sys.argv[1], sys.argv[2:]
    result = {"executable": sys.executable, "version": "%d.%d.%d" % sys.version_info[:3]}
    try:
        dists = closure(names)
        for dist in dists.values():
            link(site, dist)
        result["linked"] = {key: dist.version for key, dist in dists.items()}
    except Exception:  # a fault of seal.py's own, for the harness to show
        result["error"] = traceback.format_exc()
    json.dump(result, sys.stdout)


main()
