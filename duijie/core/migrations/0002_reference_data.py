from django.db import migrations


def load(apps, schema_editor):
    from duijie.core.reference import load_disciplines, load_industries, load_regions

    load_regions(apps.get_model("core", "Region"))
    load_industries(apps.get_model("core", "Industry"))
    load_disciplines(apps.get_model("core", "Discipline"))


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
