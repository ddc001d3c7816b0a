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

Paste Deploy runs as it is, beside the stubs and notes of the step-04
twin's -print, which this script shares (context_tree, in
python/04-pipeline-site): a distribution that is not installed has the
entry points the case's sections imply, a module that is not installed
is a stub, and which section get_context found for each context, and
which Python path named its factory, are noted as Paste Deploy finds
them. Installed distributions and modules are used as they are; so is
the step-04 twin's own distribution "tutorial". Below each composite
made by Paste's own urlmap_factory are the apps it mounts.

Paths under the case's folder are written as <dir>.
"""
import json
import os
import re
import sys

# Leave no __pycache__ behind in the repository.
sys.dont_write_bytecode = True

HERE = os.path.dirname(os.path.abspath(__file__))
TWIN_SITE = os.path.join(HERE, "..", "..", "..", "..", "..", "python", "04-pipeline-site")
sys.path.insert(0, os.path.abspath(TWIN_SITE))

import context_tree  # noqa: E402 (it is found on TWIN_SITE)


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
        tree = context_tree.dump(context_tree.resolve(case, name))
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
    context_tree.install()
    results = {}
    for case in cases:
        result = relative(record(case), os.path.dirname(os.path.abspath(case)))
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
