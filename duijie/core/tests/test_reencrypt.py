import pytest
from django.core.management import call_command
from django.db import connection

from duijie.core import crypto


@pytest.mark.django_db
def test_key_rotation_reencrypts_rows_and_history(settings):
    from duijie.orgs.models import Enterprise

    e = Enterprise.objects.create(uscc="91320412MA1M7Q8Q3K", name="常州轮换测试有限公司", contact_phone="13900001111")
    old_key = settings.DUIJIE_FIELD_KEY
    settings.DUIJIE_FIELD_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="
    settings.DUIJIE_FIELD_KEY_VERSION = 2
    settings.DUIJIE_FIELD_KEYS_OLD = f"1:{old_key}"

    call_command("reencrypt_personal_data")

    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone, contact_phone_hash FROM orgs_enterprise WHERE id = %s", [e.pk])
        stored, digest = cur.fetchone()
        cur.execute("SELECT contact_phone FROM orgs_historicalenterprise WHERE id = %s", [e.pk])
        history = [r[0] for r in cur.fetchall()]
    assert stored.startswith("v2$")
    assert all(h.startswith("v2$") for h in history)
    assert digest == crypto.blind_index("13900001111")
    # The old key can now be dropped.
    settings.DUIJIE_FIELD_KEYS_OLD = ""
    assert Enterprise.objects.get(pk=e.pk).contact_phone == "13900001111"
