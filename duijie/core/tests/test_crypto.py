import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from duijie.core import crypto
from duijie.core.masking import mask_email, mask_phone


def test_roundtrip_and_version_prefix():
    token = crypto.encrypt("13812345678")
    assert token.startswith("v1$")
    assert "13812345678" not in token
    assert crypto.decrypt(token) == "13812345678"
    assert crypto.encrypt("13812345678") != token  # random nonce


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("13812345678")
    bad = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(bad)


def test_old_key_still_decrypts(settings):
    old_token = crypto.encrypt("0519-86339999")
    old_key = settings.DUIJIE_FIELD_KEY
    settings.DUIJIE_FIELD_KEY = "bmV3LWtleS1uZXcta2V5LW5ldy1rZXktbmV3LWtleSE="
    settings.DUIJIE_FIELD_KEY_VERSION = 2
    settings.DUIJIE_FIELD_KEYS_OLD = f"1:{old_key}"
    assert crypto.decrypt(old_token) == "0519-86339999"
    assert crypto.encrypt("x").startswith("v2$")


def test_bad_key_is_refused(settings):
    settings.DUIJIE_FIELD_KEY = "c2hvcnQ="
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_masking():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_email("zhang@example.com") == "z****@example.com"
    assert mask_phone("") == ""


@pytest.mark.django_db
def test_phone_stored_encrypted_with_blind_index():
    from duijie.orgs.models import Enterprise

    e = Enterprise.objects.create(uscc="91320412MA1M7Q8Q3K", name="常州测试科技有限公司", contact_phone="13812345678")
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone, contact_phone_hash FROM orgs_enterprise WHERE id = %s", [e.pk])
        stored, digest = cur.fetchone()
    assert stored.startswith("v1$") and "13812345678" not in stored
    assert digest == crypto.blind_index("13812345678")
    assert Enterprise.objects.get(contact_phone_hash=crypto.blind_index("138 1234 5678")).pk == e.pk
    assert Enterprise.objects.get(pk=e.pk).contact_phone == "13812345678"
    # history rows hold ciphertext too
    with connection.cursor() as cur:
        cur.execute("SELECT contact_phone FROM orgs_historicalenterprise WHERE id = %s", [e.pk])
        assert all(row[0].startswith("v1$") for row in cur.fetchall())


def test_file_encryption_roundtrip_and_tamper():
    data = "姓名,手机\n张三,13812345678\n".encode()
    blob = crypto.encrypt_bytes(data)
    assert b"13812345678" not in blob and blob.startswith(b"DJSM4")
    assert crypto.decrypt_bytes(blob) == data
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt_bytes(blob[:-1] + bytes([blob[-1] ^ 1]))
