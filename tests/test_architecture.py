"""The package structure: no import circles in ``src/loket``, between modules (imports inside
functions included) or between packages. The layer contract itself is import-linter's, run
by ``make lint``."""

import grimp


def _strongly_connected(graph) -> list[set[str]]:
    """Tarjan's algorithm, iteratively (the graph has hundreds of modules)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(
                        child)))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                found.append(component)
    return found


class PackageGraph:
    """The import graph between the top-level packages of ``loket`` (and its plug-ins)."""

    def __init__(self, graph):
        def package(module):
            parts = module.split(".")
            return ".".join(parts[:3] if parts[1:2] == ["integrations"] else parts[:2])

        self.edges = {}
        for module in graph.modules:
            imported = {package(m) for m in graph.find_modules_directly_imported_by(module)}
            self.edges.setdefault(package(module), set()).update(imported - {package(module)})
        self.modules = set(self.edges)

    def find_modules_directly_imported_by(self, module):
        return self.edges.get(module, set())


def test_no_import_circles_between_modules():
    graph = grimp.build_graph("loket", include_external_packages=False)
    circles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert circles == [], "import circles:\n" + "\n".join(
        " ↔ ".join(sorted(c)) for c in circles)


def test_no_import_circles_between_packages():
    graph = PackageGraph(grimp.build_graph("loket", include_external_packages=False))
    circles = [c for c in _strongly_connected(graph) if len(c) > 1]
    assert circles == [], "import circles:\n" + "\n".join(
        " ↔ ".join(sorted(c)) for c in circles)


def test_the_search_finds_a_circle():
    """The check can fail: two modules that import each other are found."""
    class Graph:
        modules = {"a", "b", "c"}

        def find_modules_directly_imported_by(self, module):
            return {"a": {"b"}, "b": {"a"}, "c": set()}[module]

    assert {"a", "b"} in _strongly_connected(Graph())
