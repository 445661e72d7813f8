"""Writes for organisations (institutions, enterprises and their sub-records)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from duijie.core.models import Region
from duijie.core.validators import normalise_uscc


def uscc_region_warning(uscc: str) -> str | None:
    """A USCC whose registration-region prefix (chars 3–8) is not in the region table is only a
    warning: real codes use prefixes outside GB/T 2260 (320594 苏州工业园区) and abolished districts."""
    code = normalise_uscc(uscc or "")
    if len(code) != 18:
        return None
    prefix = code[2:8]
    candidates = {prefix, prefix[:4], prefix[:2]}
    if prefix.endswith("00"):
        candidates.add(prefix[:4])
    if Region.objects.filter(code=prefix).exists():
        return None
    if prefix.endswith("0000") and Region.objects.filter(code=prefix[:2]).exists():
        return None
    if prefix.endswith("00") and Region.objects.filter(code=prefix[:4]).exists():
        return None
    return _("The registration-region code %(prefix)s in this credit code is not in the region table "
             "(it may be a development zone or an abolished district); please check.") % {"prefix": prefix}
