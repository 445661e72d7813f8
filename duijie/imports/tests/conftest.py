import pytest


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.DUIJIE_IMPORT_DIR = tmp_path / "imports"
    return settings.DUIJIE_IMPORT_DIR
