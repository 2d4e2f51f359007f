"""Architecture rules that review alone would miss."""

from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent


def _modules_that_answer_requests() -> list[Path]:
    """Page views and API endpoints wherever they live: an app's views*.py or api*.py, and every
    module of a views/ or api/ package (elevstod/api is one); never tests or migrations."""
    patterns = ("views*.py", "views/*.py", "api*.py", "api/*.py")
    found = {path for pattern in patterns for path in ROOT.glob(f"elevstod/**/{pattern}")}
    return sorted(path for path in found if not {"tests", "migrations"} & set(path.parts))


def test_views_and_the_api_never_query_models_directly() -> None:
    # They fetch through elevstod.access (pupil data) or selectors and services (the rest).
    offenders = [
        str(path.relative_to(ROOT))
        for path in _modules_that_answer_requests()
        if ".objects." in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_the_query_rule_reads_every_module_of_the_api() -> None:
    assert set((ROOT / "elevstod/api").glob("*.py")) <= set(_modules_that_answer_requests())


def _import_cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Each group of modules that import one another, directly or through other modules: the
    strongly connected components of the import graph that have more than one module."""
    groups = set()
    for module in graph.modules:
        loop = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if loop:
            groups.add(frozenset({module, *loop}))
    return sorted(sorted(group) for group in groups)


def test_no_import_cycles_between_modules() -> None:
    # A cycle makes the import order matter and hides which module is the lower one; it is also
    # how a leaf such as the access log stops being one. Imports inside functions count too.
    graph = grimp.build_graph("elevstod", cache_dir=None)
    assert _import_cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle_through_a_third_module() -> None:
    graph = grimp.ImportGraph()
    for importer, imported in [("p.a", "p.b"), ("p.b", "p.c"), ("p.c", "p.a"), ("p.c", "p.d")]:
        graph.add_import(importer=importer, imported=imported)
    assert _import_cycles(graph) == [["p.a", "p.b", "p.c"]]


def test_pupil_model_is_not_registered_in_the_admin() -> None:
    from django.contrib import admin

    from elevstod.people.models import Guardian, Pupil

    assert Pupil not in admin.site._registry
    assert Guardian not in admin.site._registry
