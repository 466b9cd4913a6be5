"""The house rules, checked on the source tree (ast, no imports run): modules stay small, etl/ never imports the
read side or Dash, pages and components never touch SQL, the read side writes nothing itself, and the package
import graph has no cycle (function-level imports count: a lazy import does not hide a cycle)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 250
PACKAGES = ("cockpit", "etl")


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports(path: Path) -> set[str]:
    """Every module name `path` imports, at any depth of the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def internal_graph() -> dict[str, set[str]]:
    known = modules()
    graph = {}
    for name, path in known.items():
        deps = {d for d in imports(path) if d in known and d != name}
        graph[name] = {d for d in deps if not name.startswith(d + ".")}  # a module's own package is not a cycle
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a path of module names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_every_module_stays_small():
    big = {name: n for name, path in modules().items()
           if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not big, f"modules over {MAX_LINES} lines: {big}"


def test_etl_never_imports_the_read_side_or_dash():
    bad = {name: sorted(d for d in imports(path) if d.split(".")[0] in ("cockpit", "dash", "plotly", "flask"))
           for name, path in modules().items() if name.startswith("etl")}
    assert not {k: v for k, v in bad.items() if v}


@pytest.mark.parametrize("layer", ["cockpit.pages", "cockpit.components", "cockpit.figures"])
def test_pages_components_and_figures_never_touch_sql(layer):
    bad = {name: sorted(d for d in imports(path) if d.split(".")[0] in ("sqlalchemy", "psycopg", "sqlite3"))
           for name, path in modules().items() if name.startswith(layer)}
    assert not {k: v for k, v in bad.items() if v}


def test_queries_never_import_dash():
    bad = {name: sorted(d for d in imports(path) if d.split(".")[0] in ("dash", "plotly"))
           for name, path in modules().items() if name.startswith("cockpit.queries")}
    assert not {k: v for k, v in bad.items() if v}


SQL_WRITE = re.compile(r"\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b", re.I)


def test_the_read_side_writes_nothing_itself():
    """Users, audit rows and loads go through etl/ (its functions own every write): no module under cockpit/
    imports SQLAlchemy's insert/update/delete constructs or holds SQL text that writes."""
    bad = {}
    for name, path in modules().items():
        if not name.startswith("cockpit"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constructs = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and
                      (n.module or "").startswith("sqlalchemy") for a in n.names} & {"insert", "update", "delete"}
        texts = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
                 and SQL_WRITE.search(n.value)]
        if constructs or texts:
            bad[name] = sorted(constructs) + texts
    assert not bad, bad


def test_the_package_import_graph_has_no_cycle():
    assert cycle(internal_graph()) is None, " → ".join(cycle(internal_graph()))


def test_the_checks_catch_what_they_guard():
    """The cycle finder and the import reader work (a check that finds nothing must be able to find something)."""
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": set()}) is None
    assert "cockpit.queries.wall" in imports(ROOT / "cockpit" / "web" / "wall_feed.py")


def test_each_folder_holds_one_kind_of_module():
    """The read side's folders are its layers, in the order data flows (README, "The house at a glance")."""
    folders = {p.name for p in (ROOT / "cockpit").iterdir() if p.is_dir() and not p.name.startswith("__")}
    assert folders == {"queries", "figures", "components", "pages", "web"}
    flat = {p.stem for p in (ROOT / "cockpit").glob("*.py")}
    assert not {n for n in flat if re.search(r"quer|figure|sql|feed|auth|export", n)}, flat
