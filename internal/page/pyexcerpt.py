"""Where each Python excerpt of a page's code markers lies (pyexcerpt.go).

python3 pyexcerpt.py FILE#NAME... prints a JSON list, one entry for each
argument, in order: {"start": S, "end": E}, the excerpt being lines S to E
of FILE (from 1, both in it), or {"error": "..."}. NAME is a def or class
at the top of FILE, or one inside it, such as Greeter.__call__.

An excerpt starts at the def or class line, or at its first decorator,
with the comment lines just above it; it ends at its last statement
(end_lineno), with any comment lines after that still inside its body.
"""

import ast
import json
import sys

DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def find(tree, name):
    """The def or class called name: each dotted part inside the one before."""
    node = tree
    for part in name.split("."):
        node = next((n for n in node.body if isinstance(n, DEFS) and n.name == part), None)
        if node is None:
            return None
    return node


def is_comment(line):
    return line.lstrip().startswith("#")


def indent(line):
    return len(line) - len(line.lstrip())


def span(path, name):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    node = find(ast.parse(source, path), name)
    if node is None:
        return {"error": "%s has no def or class %s" % (path, name)}
    lines = source.split("\n")  # lines[n - 1] is line n
    start = min([node.lineno] + [d.lineno for d in node.decorator_list])
    while start > 1 and is_comment(lines[start - 2]):
        start -= 1
    end = node.end_lineno
    n = end + 1
    while n <= len(lines) and (lines[n - 1].strip() == "" or is_comment(lines[n - 1])):
        if lines[n - 1].strip() != "":
            if indent(lines[n - 1]) <= node.col_offset:
                break  # a comment on what follows
            end = n
        n += 1
    return {"start": start, "end": end}


def main():
    spans = []
    for arg in sys.argv[1:]:
        path, _, name = arg.partition("#")
        try:
            spans.append(span(path, name))
        except (OSError, SyntaxError, ValueError) as err:
            spans.append({"error": "%s: %s" % (path, err)})
    json.dump(spans, sys.stdout)


if __name__ == "__main__":
    main()
