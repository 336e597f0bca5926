"""The package layout of DESIGN.md: no import cycle inside klear_ct, dependencies point one way."""

from __future__ import annotations

import ast
from pathlib import Path

import klear_ct

ROOT = Path(klear_ct.__file__).parent
SKIP = ("sandbox/runner.py", "sandbox/attacks/")  # stdlib-only, copied into the image


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Every klear_ct module → the klear_ct modules it imports (at any depth of its code)."""
    modules = {module_name(p): p for p in ROOT.rglob("*.py")
               if not any(str(p.relative_to(ROOT)).startswith(s) for s in SKIP)}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + [base]).strip(".")
                # `from package import submodule` imports the submodule; `from module import name`, the module
                found = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
            else:
                continue
            targets |= {t for t in found if t in modules and t != name}
        graph[name] = targets
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state and (cycle := visit(target)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 40  # the walk found the package
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph))


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def imports_of(prefix: str) -> set[str]:
    graph = import_graph()
    return {t for name, targets in graph.items() if name == prefix or name.startswith(prefix + ".") for t in targets}


def test_dependencies_point_one_way():
    graph = import_graph()
    assert graph["klear_ct.model"] == set()
    assert graph["klear_ct.errors"] == set()
    assert not {t for t in imports_of("klear_ct.sandbox")
                if t.startswith(("klear_ct.pipeline", "klear_ct.cli", "klear_ct.report", "klear_ct.judge"))}
    outside_cli = {t for name, targets in graph.items() if not name.startswith("klear_ct.cli") for t in targets}
    assert not {t for t in outside_cli if t.startswith("klear_ct.cli")}
    assert not {t for t in imports_of("klear_ct.pipeline")
                if t.startswith(("klear_ct.rl", "klear_ct.train", "klear_ct.report", "klear_ct.evaluate"))}
    assert not {t for t in imports_of("klear_ct.judge") if t.startswith(("klear_ct.pipeline", "klear_ct.formats"))}


def test_only_the_cli_imports_train():
    """`klearct train` is an optional extra: nothing but the CLI imports it, and it imports no CLI code."""
    graph = import_graph()
    users = {name for name, targets in graph.items() if any(t.startswith("klear_ct.train") for t in targets)}
    assert {u for u in users if not u.startswith(("klear_ct.cli", "klear_ct.train"))} == set()
    assert "klear_ct.cli.train" in users
    assert not {t for t in imports_of("klear_ct.train") if t.startswith("klear_ct.cli")}


def test_only_the_ray_executor_imports_ray():
    """Ray is the optional `[ray]` extra: one module imports it (and the CLI imports that one only when
    --executor ray is chosen); the executors sit under the pipeline."""
    users = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(name == "ray" or name.startswith("ray.") for name in names):
                users.add(module_name(path))
    assert users == {"klear_ct.executor.ray"}
    assert not {t for t in imports_of("klear_ct.executor")
                if t.startswith(("klear_ct.pipeline", "klear_ct.cli", "klear_ct.rl", "klear_ct.llm", "klear_ct.evaluate"))}
