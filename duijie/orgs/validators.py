"""Checks on organisation fields that read reference data (the region table). Below both models
(``Enterprise.uscc_warnings``) and services, so neither imports the other to reach them."""

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
    # Region codes are stored short: province "32", city "3204", district "320412".
    short = prefix[:2] if prefix.endswith("0000") else prefix[:4] if prefix.endswith("00") else prefix
    if Region.objects.filter(code=short).exists():
        return None
    return _("The registration-region code %(prefix)s in this credit code is not in the region table "
             "(it may be a development zone or an abolished district); please check.") % {"prefix": prefix}
