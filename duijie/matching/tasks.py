"""Background work of matching (django-tasks; thin and idempotent — each reads the dirty table).

The tasks are declared in ``services.py``, beside the services they run and that enqueue them, so the
two modules do not import each other; this module names them for a reader looking for the app's
tasks. Queues: ``match-interactive`` (edits; run a worker on it alone or with ``default``) and
``match-bulk`` (imports, rebuilds, vector encoding). See README, "Matching".
"""

from __future__ import annotations

from duijie.matching.services import encode_pending_task as encode_pending
from duijie.matching.services import refresh_bulk, refresh_interactive

__all__ = ["encode_pending", "refresh_bulk", "refresh_interactive"]
