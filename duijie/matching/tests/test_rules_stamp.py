"""An index remembers the read rules its labels were built under: ``rebuild_index --if-missing`` (what
``make demo`` runs) rebuilds an index from other rules instead of masking candidates with stale labels."""

import io
import json

from django.core.management import call_command

from duijie.core.services import record_save
from duijie.matching import store, visibility


def _rebuild_if_missing() -> str:
    out = io.StringIO()
    call_command("rebuild_index", "--if-missing", stdout=out)
    return out.getvalue()


def test_a_full_rebuild_stamps_the_rules_and_incremental_versions_carry_the_stamp(built, settings,
                                                                                  django_capture_on_commit_callbacks):
    first = store.current_version()
    assert store.stored_rules(first) == visibility.RULES_STAMP
    settings.DUIJIE_MATCH_AUTO_REFRESH = False
    with django_capture_on_commit_callbacks(execute=True):
        built["demand"].title = "钙钛矿叠层光伏组件封装"
        record_save(instance=built["demand"], by=None, validate=False)
    from duijie.matching import services

    services.refresh()
    assert store.current_version() != first
    assert store.stored_rules(store.current_version()) == visibility.RULES_STAMP
    assert "exists" in _rebuild_if_missing()


def test_an_index_from_other_rules_is_rebuilt_by_if_missing(built):
    old = store.current_version()
    (store.index_dir() / old / store.RULES_FILE).write_text(json.dumps({"rules": "before-1234"}), encoding="utf-8")
    assert "other read rules" in _rebuild_if_missing()
    assert int(store.current_version()) > int(old)
    assert store.stored_rules(store.current_version()) == visibility.RULES_STAMP
    (store.index_dir() / store.current_version() / store.RULES_FILE).unlink()  # an index from before stamps
    assert "other read rules" in _rebuild_if_missing()
