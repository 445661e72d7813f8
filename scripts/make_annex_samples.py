"""Write the sample Annex 2 / Annex 3 tables the import page offers, from seed 001's text.

    python scripts/make_annex_samples.py /work/shared/seeds/001_f76985405e3c6c8a.txt
"""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from duijie.imports.tables import samples  # noqa: E402

for name, data in samples.build(Path(sys.argv[1]).read_text(encoding="utf-8")).items():
    samples.path(name).write_bytes(data)
    print(samples.path(name))
