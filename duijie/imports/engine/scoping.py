"""Scope checks on rows: who owns a new record, who may set the fields that decide scope, and the
rule that a university office or an enterprise imports only its own records."""

from __future__ import annotations

from django.utils.translation import gettext as _

from duijie.core.roles import GOVERNMENT_ROLES
from duijie.core.scope import DERIVED_FIELDS, ScopeFieldRule, derived_location
from duijie.imports.engine.reading import _field_header
from duijie.imports.engine.results import ERROR, UNCHANGED, Result
from duijie.imports.kinds import Kind
from duijie.imports.resolvers import NewInstitution, Resolvers


def _owner_org(kind: Kind, obj, user, resolvers: Resolvers):
    if not getattr(user, "is_city_admin", False):
        return getattr(user, "organisation_id", None)
    if kind.parent == "enterprise":
        return resolvers.enterprise_org.get(obj.enterprise_id)
    if kind.parent == "institution" and obj.institution_id:
        return resolvers.institution_org.get(obj.institution_id)
    return None


class _ScopeCheck:
    """core.scope's rule on who sets the fields that decide scope, row by row: a row that changes one
    the user may not set, or sets one outside the user's scope, is an error row; a new row from a
    non-government user that leaves the location empty lies where what it belongs to lies."""

    def __init__(self, model, user, fields: dict):
        self.rule = ScopeFieldRule(model, user)
        self.user, self.model = user, model
        self.names = [n for n in self.rule.names if n in fields]
        self._derived: dict = {}

    def _derive(self, obj) -> dict:
        parents = getattr(self.model, "SCOPE_PARENTS", ())
        key = tuple(getattr(obj, self.model._meta.get_field(p).attname, None) for p in parents)
        if key not in self._derived:
            self._derived[key] = derived_location(obj, self.user)
        return self._derived[key]

    def errors(self, obj, vals: dict, current: dict | None, links: dict) -> dict[str, str]:
        if not self.names:
            return {}
        new, old = {}, {}
        derived = self._derive(obj) if current is None and self.rule.derives else None
        for name in self.names:
            if name not in vals:
                continue
            f = self.model._meta.get_field(name)
            value = frozenset(vals[name] or ()) if f.many_to_many else vals[name]
            if current is not None:
                before = frozenset(links.get((current["pk"], name), ())) if f.many_to_many else current.get(f.attname)
            elif derived is not None and name in DERIVED_FIELDS:
                before = derived[name]
                if not value:  # left empty: take the derived place
                    if f.many_to_many:
                        obj._import_m2m[name] = sorted(before)
                    else:
                        setattr(obj, f.attname, before)
                    continue
            else:
                before = frozenset() if f.many_to_many else f.get_default()
            new[name], old[name] = value, before
        return self.rule.errors(new, old, pk=current["pk"] if current else None)


def _own_parent_only(kind: Kind, user, result: Result, parsed: list[dict], headers: dict[str, str],
                     resolvers: Resolvers) -> None:
    """A university office or an enterprise imports only its own records: every row's owning
    institution / enterprise (``kind.parent``: an achievement's 完成单位, a demand's enterprise) must be
    the user's own organisation. A row naming another one — or one the registry does not have, which
    would become a provisional institution filed by this user — is an error naming the row and field.
    Government roles import for the organisations in their scope (their edit scope decides updates)."""
    if not kind.parent or getattr(user, "role", None) in GOVERNMENT_ROLES:
        return
    own = getattr(user, "organisation_id", None)
    orgs = resolvers.institution_org if kind.parent == "institution" else resolvers.enterprise_org
    header = _field_header(kind, kind.parent, headers)
    wrong = [(rr, vals[kind.parent]) for rr, vals in zip(result.rows, parsed, strict=True)
             if rr.outcome not in (ERROR, UNCHANGED) and vals.get(kind.parent) is not None
             and (isinstance(vals[kind.parent], NewInstitution) or own is None or orgs.get(vals[kind.parent]) != own)]
    model = kind.field(kind.parent).related_model
    names = dict(model._default_manager.filter(pk__in={v for _rr, v in wrong if isinstance(v, int)})
                 .values_list("pk", "name"))
    for rr, value in wrong:
        name = value.name if isinstance(value, NewInstitution) else names.get(value, str(value))
        rr.outcome, rr.note = ERROR, ""
        rr.errors.append((header, _("“%(value)s” is not your own organisation: an account of an enterprise or a "
                                    "university imports only its own records; ask the science bureau to import "
                                    "records of others.") % {"value": name}))
