"""Key rotation: rewrite every encrypted personal value (history tables included) under the current
key and recompute the keyed-hash columns. Run after moving the old key into DUIJIE_FIELD_KEYS_OLD
and setting the new DUIJIE_FIELD_KEY / DUIJIE_FIELD_KEY_VERSION. Idempotent; batch by batch, each
batch in its own transaction, so it can be stopped and resumed."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from duijie.core import crypto
from duijie.core.fields import EncryptedTextField


def encrypted_fields(model) -> list[EncryptedTextField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]


class Command(BaseCommand):
    help = "Re-encrypt personal data under the current key (after a key rotation)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="Count what would change; write nothing.")

    def handle(self, *args, batch_size: int, dry_run: bool, **options):
        current, _ = crypto.keyring()
        total = 0
        for model in apps.get_models():
            fields = encrypted_fields(model)
            if not fields:
                continue
            names = [f.attname for f in fields]
            table = model._meta.db_table
            pk = model._meta.pk.attname
            changed = 0
            last = None
            while True:
                # values_list gives decrypted values; _raw_versions reads the stored ciphertext to
                # see which key version each value is under.
                qs = model._base_manager.order_by(pk)
                if last is not None:
                    qs = qs.filter(**{f"{pk}__gt": last})
                rows = list(qs.values_list(pk, *names)[:batch_size])
                if not rows:
                    break
                last = rows[-1][0]
                raw = self._raw_versions(model, table, pk, names, [r[0] for r in rows])
                updates = []
                for row in rows:
                    key, values = row[0], dict(zip(names, row[1:], strict=True))
                    stale = [n for n in names if raw[key].get(n) and crypto.key_version(raw[key][n]) != current.version]
                    if stale:
                        updates.append((key, values, stale))
                changed += len(updates)
                if updates and not dry_run:
                    with transaction.atomic():
                        for key, values, stale in updates:
                            set_values = {}
                            for f in fields:
                                if f.attname in stale:
                                    set_values[f.attname] = crypto.encrypt(values[f.attname])
                                    if f.hash_field:
                                        set_values[f.hash_field] = crypto.blind_index(values[f.attname])
                            model._base_manager.filter(**{pk: key}).update(**set_values)
            if changed:
                self.stdout.write(f"{model._meta.label}: {changed} row(s) {'to re-encrypt' if dry_run else 're-encrypted'}")
            total += changed
        self.stdout.write(self.style.SUCCESS(f"Done: {total} row(s){' (dry run)' if dry_run else ''}."))

    @staticmethod
    def _raw_versions(model, table, pk, names, keys) -> dict:
        quoted = ", ".join(connection.ops.quote_name(n) for n in [pk, *names])
        placeholders = ", ".join(["%s"] * len(keys))
        with connection.cursor() as cur:
            cur.execute(f"SELECT {quoted} FROM {connection.ops.quote_name(table)} "  # noqa: S608 (identifiers quoted)
                        f"WHERE {connection.ops.quote_name(pk)} IN ({placeholders})", keys)
            return {row[0]: dict(zip(names, row[1:], strict=True)) for row in cur.fetchall()}
