"""Demo accounts, one per role. Exempt from forced password change and second factor
(``is_demo``) only where settings.DUIJIE_DEMO is on; the UI says so."""

from __future__ import annotations

from duijie.core.roles import Role

DEMO_PASSWORD = "duijie-demo-2026"

# username, display name, role, organisation lookup (kind, name) or None; created first, before
# the records (they file the demo data).
DEMO_ACCOUNTS = [
    ("admin", "市科技局管理员", Role.CITY_ADMIN, ("government", "常州市科学技术局")),
]

# One account for every other role, created after the records so each can be tied to a real
# organisation (areas.accounts.make_role_accounts): username, display name, role.
ROLE_ACCOUNTS = [
    ("wujin", "武进区科技局", Role.UNIT_ADMIN),
    ("kunshan", "昆山市科技局", Role.CITY_ADMIN),
    ("park", "园区管理员", Role.PARK_MANAGER),
    ("enterprise", "企业用户", Role.ENTERPRISE),
    ("cczu", "常州大学技术转移中心", Role.INSTITUTION),
    ("expert", "专家用户", Role.EXPERT),
    ("broker", "技术经纪人", Role.BROKER),
    ("sysadmin", "系统管理员", Role.SYSTEM_ADMIN),
    ("secadmin", "安全管理员", Role.SECURITY_ADMIN),
    ("auditor", "审计管理员", Role.AUDIT_ADMIN),
]
