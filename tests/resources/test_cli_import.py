"""`renkei resources import` and `export`, run as an operator runs them."""

import sqlite3
import zipfile

from tests.resources.files import KaigoRow, kaigo_csv, office_number
from tests.test_cli import cli_env, run  # noqa: F401 - the fixture


def test_import_prints_the_report_and_a_bad_file_changes_nothing(cli_env, tmp_path):  # noqa: F811
    env, db = cli_env
    assert run(["db", "upgrade"], env).returncode == 0
    good = tmp_path / "jigyosho_130.csv"
    good.write_bytes(kaigo_csv([KaigoRow(office_number(), "訪問看護ステーションCLI")]))
    out = run(["resources", "import", "kaigo", str(good), "--as-of", "2025-06-30"], env)
    assert out.returncode == 0, out.stderr
    assert "追加 1件 / 変更 0件 / 変更なし 0件 / 未照合 0件" in out.stdout and "PDL1.0" in out.stdout
    again = run(["resources", "import", "kaigo", str(good), "--as-of", "2025-06-30"], env)
    assert "追加 0件 / 変更 0件 / 変更なし 1件" in again.stdout
    bad = tmp_path / "jigyosho_bad.csv"
    bad.write_bytes(kaigo_csv([KaigoRow(office_number(), "よい"), KaigoRow("123", "わるい")]))
    refused = run(["resources", "import", "kaigo", str(bad), "--as-of", "2025-06-30"], env)
    assert refused.returncode == 1 and "3行目 16列目（事業所番号）" in refused.stderr
    assert sqlite3.connect(db).execute("select count(*) from resource_service").fetchone()[0] == 1
    no_date = run(["resources", "import", "kaigo", str(good)], env)
    assert no_date.returncode == 1 and "--as-of" in no_date.stderr
    package = tmp_path / "hsds.zip"
    assert run(["resources", "export", str(package)], env).returncode == 0
    assert "datapackage.json" in zipfile.ZipFile(package).namelist()
