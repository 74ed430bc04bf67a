"""The package's shape: its modules use each other's public names only, and no two of them
import each other (directly or round a longer loop).

Both checks read the source with ``ast``, so every import counts, at the top of a module
or inside a function; an import under ``if TYPE_CHECKING:`` (annotations only, never run)
counts for private names but not for cycles.
"""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Iterator, NamedTuple

PACKAGE = Path(__file__).resolve().parents[1] / "journeylab"


class Import(NamedTuple):
    line: int
    module: str  # the journeylab module imported
    name: str | None  # the name taken from it (None: the module itself)
    bound: str  # the name it is bound to in the importing module
    typing_only: bool = False  # under ``if TYPE_CHECKING:``


def package_modules(root: Path = PACKAGE) -> dict[str, Path]:
    """Dotted name -> file of every module of the package (a package by its __init__)."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _in_package(name: str, top: str) -> bool:
    return name == top or name.startswith(top + ".")


def module_imports(name: str, path: Path, modules: dict[str, Path]) -> Iterator[Import]:
    """Every import of a journeylab module by module ``name`` (file ``path``)."""
    top = name.split(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    typing_only = {id(inner) for node in ast.walk(tree) if isinstance(node, ast.If)
                   and _is_type_checking(node.test) for stmt in node.body
                   for inner in ast.walk(stmt)}
    for node in ast.walk(tree):
        typing = id(node) in typing_only
        if isinstance(node, ast.Import):
            for alias in node.names:
                if _in_package(alias.name, top):
                    yield Import(node.lineno, alias.name, None,
                                 alias.asname or alias.name.split(".")[0], typing)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not _in_package(target, top):
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                bound = alias.asname or alias.name
                yield Import(node.lineno, sub, None, bound, typing) if sub in modules else \
                    Import(node.lineno, target, alias.name, bound, typing)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or \
        (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _shown(path: Path, modules: dict[str, Path]) -> str:
    """``path`` from the folder holding the package (``journeylab/core/log.py``)."""
    top = modules[min(modules, key=len)]  # the package's own __init__.py
    return path.relative_to(top.parent.parent).as_posix()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(modules: dict[str, Path]) -> list[str]:
    """``file:line`` notes of each import of another module's private name, and of each
    ``module._name`` read through a module imported whole (``from . import paths as P``)."""
    found = []
    for name, path in modules.items():
        rel = _shown(path, modules)
        modules_bound = set()
        for imp in module_imports(name, path, modules):
            if imp.module == name:
                continue
            taken = imp.name if imp.name is not None else imp.module.rsplit(".", 1)[-1]
            if _private(taken):
                found.append(f"{rel}:{imp.line} imports {taken} from {imp.module}")
            if imp.name is None:
                modules_bound.add(imp.bound)
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in modules_bound and _private(node.attr)):
                found.append(f"{rel}:{node.lineno} reads {node.value.id}.{node.attr}")
    return found


def _parents(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def import_graph(modules: dict[str, Path]) -> dict[str, dict[str, int]]:
    """Module -> {imported journeylab module: line of the first such import}, the imports
    that run (``TYPE_CHECKING`` ones left out). Importing ``pkg.sub.mod`` runs
    ``pkg/sub/__init__.py`` first, so it counts as importing ``pkg.sub`` too, except from
    within ``pkg.sub`` (whose ``__init__`` is then already running)."""
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        edges: dict[str, int] = {}
        mine = set(_parents(name)) | ({name} if path.name == "__init__.py" else set())
        for imp in module_imports(name, path, modules):
            if imp.typing_only:
                continue
            for target in (imp.module, *_parents(imp.module)):
                if target != name and target in modules and target not in mine:
                    edges[target] = min(edges.get(target, imp.line), imp.line)
        graph[name] = edges
    return graph


def find_cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    """One import cycle as ``[a, b, ..., a]``, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, {})):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def describe_cycle(cycle: list[str], graph: dict[str, dict[str, int]],
                   modules: dict[str, Path]) -> str:
    steps = [f"{a} (line {graph[a][b]} of {_shown(modules[a], modules)}) -> {b}"
             for a, b in zip(cycle, cycle[1:])]
    return "import cycle: " + "; ".join(steps)


# ----------------------------------------------------------------------------- the checks
def test_no_module_uses_another_modules_private_names():
    found = private_uses(package_modules())
    assert not found, "private names used across modules (give them a public home):\n" + \
        "\n".join(found)


def test_no_import_cycle_between_modules():
    modules = package_modules()
    graph = import_graph(modules)
    cycle = find_cycle(graph)
    assert cycle is None, describe_cycle(cycle, graph, modules)


# ----------------------------------------------------------------------------- the checker
def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "pkg"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return root


def test_checker_sees_private_imports_and_function_level_cycles(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "",
        "a.py": "from .b import _hidden, shown\n",
        "b.py": "def shown():\n    from .c import thing\n_hidden = 1\n",
        "c.py": "from . import a as A\nx = A._secret\nthing = 2\n",
        "sub/__init__.py": "",
        "sub/d.py": "from ..b import __doc__, shown\n",
        "e.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .f import _T\n",
        "f.py": "from .e import x\n_T = int\n",
        "g.py": "from .sub.d import shown\n",
    })
    modules = package_modules(root)
    assert set(modules) == {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d",
                            "pkg.e", "pkg.f", "pkg.g"}
    found = private_uses(modules)
    assert any("pkg/a.py:1 imports _hidden from pkg.b" in f for f in found)
    assert any("pkg/c.py:2 reads A._secret" in f for f in found)
    assert any("pkg/e.py:3 imports _T from pkg.f" in f for f in found)
    assert len(found) == 3  # a dunder is no private name
    graph = import_graph(modules)
    assert graph["pkg.sub.d"] == {"pkg.b": 1}
    assert graph["pkg.g"] == {"pkg.sub.d": 1, "pkg.sub": 1}  # the package's __init__ runs
    assert graph["pkg.e"] == {}  # annotations only: no cycle with pkg.f
    cycle = find_cycle(graph)
    assert cycle is not None and cycle[0] == cycle[-1]
    assert set(cycle) == {"pkg.a", "pkg.b", "pkg.c"}
    assert "line 2 of pkg/b.py" in describe_cycle(cycle, graph, modules)


def test_checker_passes_a_clean_package(tmp_path):
    root = _package(tmp_path, {
        "__init__.py": "from .a import f\n",
        "a.py": "from .b import g\ndef f():\n    from .b import h\n",
        "b.py": "def g(): pass\ndef h(): pass\n",
    })
    modules = package_modules(root)
    assert private_uses(modules) == []
    assert find_cycle(import_graph(modules)) is None


# a module a maintainer can read in one sitting; past this, split it by what it does
MAX_MODULE_LINES = 500


def test_no_module_is_longer_than_a_maintainer_reads_at_once():
    long = {_shown(path, package_modules()): n for path in package_modules().values()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def _modules_after(code: str) -> set[str]:
    """The heavy libraries loaded in a fresh interpreter after running ``code``."""
    import subprocess
    import sys

    heavy = ("sklearn", "scipy.stats", "ipywidgets", "matplotlib", "pm4py", "duckdb",
             "pandas", "papermill")
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\n"
         f"print(','.join(m for m in {heavy!r} if m in sys.modules))"],
        capture_output=True, text=True, check=True).stdout.strip()
    return set(filter(None, out.split(",")))


def test_importing_the_package_loads_no_library_until_a_name_is_used():
    assert _modules_after("import journeylab") == set()
    # every public name is there when asked for, from its own subpackage
    assert _modules_after("import journeylab as jl\nassert all(hasattr(jl, n) for n in "
                          "jl.__all__)") >= {"sklearn", "pandas"}


def test_reading_a_log_and_its_paths_wait_for_no_learning_library():
    loaded = _modules_after(
        "import pandas as pd, journeylab as jl\n"
        "log = jl.read_events(pd.DataFrame({'case_id': ['a', 'a'], 'activity': ['x', 'y'], "
        "'timestamp': ['2024-01-01', '2024-01-02']}))\n"
        "jl.discover_dfg(log), jl.get_variants(log)")
    assert not loaded & {"sklearn", "scipy.stats", "ipywidgets", "matplotlib"}, loaded
