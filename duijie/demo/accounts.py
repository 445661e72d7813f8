"""Demo accounts, one per role. Exempt from forced password change and second factor
(``is_demo``) only where settings.DUIJIE_DEMO is on; the UI says so."""

from __future__ import annotations

DEMO_PASSWORD = "duijie-demo-2026"

# username, display name, role, organisation lookup (kind, name) or None; created first, before
# the records (they file the demo data).
DEMO_ACCOUNTS = [
    ("admin", "市科技局管理员", "city_admin", ("government", "常州市科学技术局")),
]

# One account for every other role, created after the records so each can be tied to a real
# organisation (areas.accounts.make_role_accounts): username, display name, role.
ROLE_ACCOUNTS = [
    ("wujin", "武进区科技局", "unit_admin"),
    ("kunshan", "昆山市科技局", "city_admin"),
    ("park", "园区管理员", "park_manager"),
    ("enterprise", "企业用户", "enterprise"),
    ("cczu", "常州大学技术转移中心", "institution"),
    ("expert", "专家用户", "expert"),
    ("broker", "技术经纪人", "broker"),
    ("sysadmin", "系统管理员", "system_admin"),
    ("secadmin", "安全管理员", "security_admin"),
    ("auditor", "审计管理员", "audit_admin"),
]
