"""Reads a Python file that `cdk-workspaces import` wrote, without running it, and prints as JSON
what it would do: its top-level statements, the statements of each method, every call (by dotted
name) and every string constant. The test compares that with what the file must do and nothing
else: no aws_cdk or cdk_workspaces is needed (and none is stubbed) to know what code is in it."""

import ast
import json
import sys


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{dotted(node.func)}()"
    return type(node).__name__


def main(path: str) -> None:
    with open(path, "rb") as f:
        source = f.read()
    tree = ast.parse(source, filename=path)
    methods = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            for item in node.body:
                methods[f"{node.name}.{getattr(item, 'name', type(item).__name__)}"] = [type(s).__name__ for s in getattr(item, "body", [])]
    print(json.dumps({
        "ascii": all(b < 0x80 for b in source),
        "top": [type(s).__name__ for s in tree.body],
        "methods": methods,
        "calls": sorted({dotted(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}),
        "strings": [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)],
        "names": sorted({n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}),
    }))


main(sys.argv[1])
