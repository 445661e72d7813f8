"""Signals core defines for apps that depend on it (signals are for cache/index invalidation only).

``records_bulk_written``: sent after commit by bulk writers (imports, bulk upserts) that bypass
``post_save``; ``sender`` is the model, ``pks`` the primary keys written. Matching listens to keep
its index up to date on the bulk lane.
"""

from django.dispatch import Signal

records_bulk_written = Signal()
