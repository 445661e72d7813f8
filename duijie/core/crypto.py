"""Personal-data encryption: SM4-GCM with versioned keys, and a keyed hash for exact lookup.

DUIJIE_FIELD_KEY is base64 of 32 random bytes (the master key). HKDF-SHA256 derives from it
the 16-byte SM4 key and the 32-byte HMAC key of the blind index. Every ciphertext carries its
key version: ``v<version>$<base64url(nonce | ciphertext | tag)>``. Older master keys stay in
DUIJIE_FIELD_KEYS_OLD ("version:base64,...") so values written under them still decrypt, and
``manage.py reencrypt_personal_data`` rewrites them under the current key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v"
SEP = "$"
NONCE_LEN = 12
TAG_LEN = 16
AAD = b"duijie-personal-data"


class DecryptionError(ValueError):
    pass


@dataclass(frozen=True)
class FieldKey:
    version: int
    enc_key: bytes
    hash_key: bytes


def _derive(master_b64: str, version: int) -> FieldKey:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured("Personal-data key is not valid base64.") from exc
    if len(master) != 32:
        raise ImproperlyConfigured("Personal-data key must be 32 bytes (base64 of 32 random bytes).")

    def hkdf(info: bytes, length: int) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(master)

    return FieldKey(version, hkdf(b"duijie/sm4-gcm", 16), hkdf(b"duijie/blind-index", 32))


@lru_cache(maxsize=8)
def _keyring(current_b64: str, current_version: int, old: str) -> tuple[FieldKey, dict[int, FieldKey]]:
    current = _derive(current_b64, current_version)
    ring = {current.version: current}
    for item in filter(None, (s.strip() for s in old.split(","))):
        version_text, _, key_b64 = item.partition(":")
        if not version_text.isdigit() or not key_b64:
            raise ImproperlyConfigured("DUIJIE_FIELD_KEYS_OLD entries must be 'version:base64'.")
        ring.setdefault(int(version_text), _derive(key_b64, int(version_text)))
    return current, ring


def keyring() -> tuple[FieldKey, dict[int, FieldKey]]:
    return _keyring(settings.DUIJIE_FIELD_KEY, settings.DUIJIE_FIELD_KEY_VERSION, settings.DUIJIE_FIELD_KEYS_OLD)


def is_ciphertext(value: str) -> bool:
    head, sep, _ = value.partition(SEP)
    return bool(sep) and head.startswith(PREFIX) and head[1:].isdigit()


def encrypt(plaintext: str) -> str:
    current, _ = keyring()
    nonce = os.urandom(NONCE_LEN)
    encryptor = Cipher(algorithms.SM4(current.enc_key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(AAD)
    body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    token = base64.urlsafe_b64encode(nonce + body + encryptor.tag).decode("ascii")
    return f"{PREFIX}{current.version}{SEP}{token}"


def encrypter():
    """``encrypt`` for many values: the key and the SM4 algorithm object are looked up once, not per
    value (bulk writes encrypt a column of 100,000 phones)."""
    current, _ = keyring()
    algorithm = algorithms.SM4(current.enc_key)
    head = f"{PREFIX}{current.version}{SEP}"
    urandom, b64 = os.urandom, base64.urlsafe_b64encode

    def encrypt_one(plaintext: str) -> str:
        nonce = urandom(NONCE_LEN)
        encryptor = Cipher(algorithm, modes.GCM(nonce)).encryptor()
        encryptor.authenticate_additional_data(AAD)
        body = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
        return head + b64(nonce + body + encryptor.tag).decode("ascii")

    return encrypt_one


def blind_indexer():
    """``blind_index`` for many values, with the key looked up once."""
    current, _ = keyring()
    key, digest = current.hash_key, hmac.digest

    def index_one(value: str) -> str:  # hmac.digest: the one-shot C path, same value as hmac.new
        return digest(key, normalise_for_hash(value).encode("utf-8"), "sha256").hex()

    return index_one


def key_version(value: str) -> int | None:
    return int(value.partition(SEP)[0][1:]) if is_ciphertext(value) else None


def decrypt(value: str) -> str:
    if not is_ciphertext(value):
        raise DecryptionError("Value is not a duijie ciphertext.")
    version = key_version(value)
    _, ring = keyring()
    key = ring.get(version)  # type: ignore[arg-type]
    if key is None:
        raise DecryptionError(f"No key for version {version}; add it to DUIJIE_FIELD_KEYS_OLD.")
    raw = base64.urlsafe_b64decode(value.partition(SEP)[2])
    nonce, body, tag = raw[:NONCE_LEN], raw[NONCE_LEN:-TAG_LEN], raw[-TAG_LEN:]
    decryptor = Cipher(algorithms.SM4(key.enc_key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(AAD)
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode("utf-8")
    except Exception as exc:  # InvalidTag
        raise DecryptionError("Personal-data value failed authentication.") from exc


def normalise_for_hash(value: str) -> str:
    return "".join(unicodedata.normalize("NFKC", value).split()).lower()


def blind_index(value: str) -> str:
    """Keyed hash (HMAC-SHA256 under the current key) for exact-match lookup of a personal value."""
    current, _ = keyring()
    return hmac.new(current.hash_key, normalise_for_hash(value).encode("utf-8"), hashlib.sha256).hexdigest()


FILE_MAGIC = b"DJSM4"


def encrypt_bytes(data: bytes) -> bytes:
    """A kept file (an uploaded spreadsheet holds phones) encrypted like personal fields:
    ``DJSM4 | version (2 bytes) | nonce | ciphertext | tag``."""
    current, _ = keyring()
    nonce = os.urandom(NONCE_LEN)
    encryptor = Cipher(algorithms.SM4(current.enc_key), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(AAD + b"/file")
    body = encryptor.update(data) + encryptor.finalize()
    return FILE_MAGIC + current.version.to_bytes(2, "big") + nonce + body + encryptor.tag


def decrypt_bytes(blob: bytes) -> bytes:
    if not blob.startswith(FILE_MAGIC):
        raise DecryptionError("Not an encrypted duijie file.")
    version = int.from_bytes(blob[len(FILE_MAGIC):len(FILE_MAGIC) + 2], "big")
    _, ring = keyring()
    key = ring.get(version)
    if key is None:
        raise DecryptionError(f"No key for version {version}; add it to DUIJIE_FIELD_KEYS_OLD.")
    raw = blob[len(FILE_MAGIC) + 2:]
    nonce, body, tag = raw[:NONCE_LEN], raw[NONCE_LEN:-TAG_LEN], raw[-TAG_LEN:]
    decryptor = Cipher(algorithms.SM4(key.enc_key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(AAD + b"/file")
    try:
        return decryptor.update(body) + decryptor.finalize()
    except Exception as exc:
        raise DecryptionError("Encrypted file failed authentication.") from exc
