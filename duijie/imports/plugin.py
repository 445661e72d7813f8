"""What imports contributes (core/plugins.py): the import kind of each record type it fills (the
list page asks ``plugins.import_kind_for`` to link the template, and the list's xlsx export writes
the import's columns and spellings, so it imports back unchanged) and the official forms (Annex 1 …)
as exports on the detail page of their record type. Imports sits above the domain apps; it never
edits their record types. The official target tables (Annex 2 / Annex 3) are the targets' import
and a programme's exports (its progress page shows them)."""

from functools import partial

from duijie.core.plugins import Contributions, Export, ImportKind
from duijie.imports.kinds import KINDS
from duijie.imports.layouts import LAYOUTS
from duijie.imports.sheets import export_value, import_columns
from duijie.imports.table_views import table_links
from duijie.imports.views import form_links

CONTRIBUTES = Contributions(
    import_kinds=(*(ImportKind(record_type=kind.slug, name=kind.name, city_admin_only=kind.city_admin_only,
                               columns=partial(import_columns, kind), cell=partial(export_value, kind))
                    for kind in KINDS.values() if not kind.table),
                  ImportKind(record_type="targets", name="annex3")),
    exports=(*(Export(record_type=KINDS[layout.kind].slug, name=layout.name,
                      links=partial(form_links, layout=layout.name))
               for layout in LAYOUTS.values() if not KINDS[layout.kind].table),
             Export(record_type="programmes", name="target-tables", links=table_links)),
)
