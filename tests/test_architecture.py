"""Architecture rules that review alone would miss."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VIEW_MODULES = [*ROOT.glob("elevstod/*/views*.py"), ROOT / "elevstod/api/api.py"]


def test_views_never_query_models_directly() -> None:
    # Views fetch through elevstod.access (pupil data) or selectors and services (the rest).
    offenders = [
        str(path.relative_to(ROOT))
        for path in VIEW_MODULES
        if ".objects." in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


def test_pupil_model_is_not_registered_in_the_admin() -> None:
    from django.contrib import admin

    from elevstod.people.models import Guardian, Pupil

    assert Pupil not in admin.site._registry
    assert Guardian not in admin.site._registry
