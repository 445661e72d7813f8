"""Demo accounts, one per role as roles arrive. Exempt from forced password change and second
factor (``is_demo``) only where settings.DUIJIE_DEMO is on; the UI says so."""

from __future__ import annotations

DEMO_PASSWORD = "duijie-demo-2026"

# username, display name, role, organisation lookup (kind, name) or None
DEMO_ACCOUNTS = [
    ("admin", "市科技局管理员", "city_admin", ("government", "常州市科学技术局")),
]
