"""Imports go one way: handlers -> front ends (CLI, MCP) -> engine -> core, never upward and never in a circle.

Every import counts, module-level or inside a function (a lazy import is still a dependency).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FRONT_ENDS = ("runtime.cli", "runtime.mcp_server", "runtime.__main__")
HANDLERS = ("handlers",)
# Modules every layer may use, which use nothing but each other.
CORE = ("runtime.errors", "runtime.entities", "runtime.registry_entities", "runtime.validation",
        "runtime.formatting", "runtime.fsutil", "runtime.imports", "runtime.run_names", "runtime.tracking_uri",
        "runtime.wire", "runtime.json_object")
# Stores and artifact repositories serve the server; they never reach back into it.
STORAGE = ("runtime.store", "runtime.artifacts")
SERVERS = ("runtime.server", "runtime.ui")
# A cycle inside an area another change is still building; it is to be broken there.
CYCLES_BEING_BUILT = [["runtime.gateway.config", "runtime.gateway.providers"]]


def _in(module, packages):
    return any(module == p or module.startswith(p + ".") for p in packages)


def _modules():
    found = {}
    for base in ("runtime", "handlers"):
        for path in (ROOT / base).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _import_graph():
    modules = _modules()

    def owner(name):
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph = {}
    for name, path in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(owner(alias.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    targets.add(full if full in modules else owner(node.module))
        targets.discard(None)
        targets.discard(name)
        graph[name] = targets
    return graph


GRAPH = _import_graph()


def _upward(rule):
    return sorted(f"{module} -> {target}" for module, targets in GRAPH.items() for target in targets
                  if rule(module, target))


def test_the_engine_never_imports_front_ends_or_handlers():
    assert _upward(lambda m, t: not _in(m, FRONT_ENDS + HANDLERS) and _in(t, FRONT_ENDS + HANDLERS)) == []


def test_front_ends_never_import_handlers_by_name():
    """Handlers are bound from the manifest by name ("handlers.runs:list_"), never imported."""
    assert _upward(lambda m, t: _in(m, FRONT_ENDS) and _in(t, HANDLERS)) == []


def test_core_uses_only_core():
    assert _upward(lambda m, t: _in(m, CORE) and not _in(t, CORE) and t != "runtime") == []


def test_stores_and_artifacts_never_import_the_servers():
    assert _upward(lambda m, t: _in(m, STORAGE) and _in(t, SERVERS)) == []


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found, counter = {}, {}, set(), [], [], [0]
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter[0]
                    counter[0] += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return sorted(found)


def test_no_import_cycles():
    assert [c for c in _cycles(GRAPH) if c not in CYCLES_BEING_BUILT] == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
