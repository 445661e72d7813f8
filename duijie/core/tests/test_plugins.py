"""The plug-in API is the only way an app contributes (core/plugins.py).

After start-up the registry is frozen: nothing can be added, no record type changed; everything in it
came from some app's ``plugin.py``; an app's record types are its own models; and no module reaches
round the API (writes into ``REGISTRY``, calls the private filing functions, or uses an ``extra`` dict).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from django.apps import apps

from duijie.core import plugins, registry
from duijie.core.plugins import Contributions, DetailLink
from duijie.core.registry import REGISTRY, NavLink

ROOT = Path(__file__).resolve().parents[2]  # duijie/


def test_registry_is_frozen_after_start_up():
    assert plugins.frozen()
    rt = REGISTRY["enterprises"]
    with pytest.raises(TypeError):
        REGISTRY["enterprises-2"] = rt  # type: ignore[index]
    with pytest.raises(TypeError):
        registry.BY_MODEL[object] = rt  # type: ignore[index]
    with pytest.raises(RuntimeError):
        registry._add(dataclasses.replace(rt, slug="enterprises-2"))
    with pytest.raises(plugins.RegistryFrozen):
        plugins._add("late", Contributions(nav_links=(NavLink("x", "x", "core:home"),)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        rt.order = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        REGISTRY["users"].forms_by_role["enterprise"] = object  # type: ignore[index]
    assert not hasattr(rt, "extra")
    plugins.collect()  # a second call changes nothing
    assert plugins.nav_links() == plugins.nav_links() and len(REGISTRY) == len(set(REGISTRY))


def test_everything_registered_came_from_a_plugin_module_in_installed_apps_order():
    contributed = plugins.contributions()
    order = [c.label for c in apps.get_app_configs() if c.label in contributed]
    assert list(contributed) == order
    types = [rt for c in contributed.values() for rt in c.record_types]
    assert [rt.slug for rt in types] == list(REGISTRY)
    assert all(REGISTRY[rt.slug] is rt for rt in types)
    assert plugins.nav_links() == tuple(link for c in contributed.values() for link in c.nav_links)
    assert plugins.matching_sources() == tuple(s for c in contributed.values() for s in c.matching)
    assert set(plugins.indicators()) == {i.slug for c in contributed.values() for i in c.indicators}
    # An app declares matching sources and indicators of its own models only; it reaches another
    # app's record type only through a contribution the consumer asks for (links, panels, imports).
    # (Record types: each model once, checked when filed; accounts serves core's audit entries.)
    for label, c in contributed.items():
        assert all(s.model.split(".")[0] == label for s in c.matching), label
        assert all(REGISTRY[i.record_type].model._meta.app_label == label for i in c.indicators), label


def test_consumers_ask_the_registry():
    kind = plugins.import_kind_for("enterprises")
    assert (kind.record_type, kind.name) == ("enterprises", "enterprise")
    assert kind.columns()[0] == ("uscc", "统一社会信用代码")  # the list export writes the import's layout
    assert plugins.import_kind_for("regions").city_admin_only
    assert plugins.import_kind_for("audit-log") is None
    assert [link.url_name for link in plugins.detail_panels(REGISTRY["demands"].model)] == ["matching:panel"]
    assert plugins.detail_panels(REGISTRY["enterprises"].model) == ()
    coop = plugins.contributions()["cooperation"]
    assert [d.record_type for d in coop.detail_links if isinstance(d, DetailLink)] == ["intentions"]
    assert {e.record_type for e in plugins.contributions()["imports"].exports} == {"achievements", "programmes"}


# What reaching round the API looks like in source: filing privately, writing into the registry or a
# record type, or the old per-type ``extra`` dict and registration functions.
FORBIDDEN = re.compile(
    r"registry\._add\b|registry\._seal\b|plugins\._add\b|_by_slug\b|_by_model\b"
    r"|REGISTRY\[[^\]]+\]\s*(?:\.\w+)*\s*(?:=[^=]|\.(?:append|update|setdefault|extend)\()"
    r"|\.extra\[|\.extra\.(?:get|setdefault|update)\(|\bextra=\{|register_link\(|register_detail_panel\("
    r"|autodiscover_modules\(")
ALLOWED = {ROOT / "core" / "plugins.py", ROOT / "core" / "registry.py", Path(__file__).resolve()}


def test_no_module_contributes_any_other_way():
    offenders = []
    for path in sorted(ROOT.rglob("*.py")):
        if path in ALLOWED or "migrations" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if FORBIDDEN.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert offenders == []


def test_the_check_catches_the_old_ways():
    for line in ('REGISTRY["intentions"].extra.setdefault("detail_links", []).append(f)',
                 'record_type.extra["import_kind"] = "x"', 'REGISTRY["x"] = rt', 'REGISTRY[slug].order = 3',
                 "register_detail_panel(decl.model, 'matching:panel')", "registry._add(rt)"):
        assert FORBIDDEN.search(line), line
    for line in ('rt = REGISTRY["projects"]', 'if REGISTRY[slug] == rt:', "extra = {'a': 1}"):
        assert not FORBIDDEN.search(line), line
