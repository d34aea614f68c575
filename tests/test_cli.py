"""The operator's CLI, run as an operator runs it."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run(args, env):
    return subprocess.run([str(Path(sys.executable).parent / "renkei"), *args], env=env, capture_output=True,
                          text=True, timeout=120, cwd=ROOT)


@pytest.fixture
def cli_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
    env["RENKEI_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return env, tmp_path / "cli.db"


def test_db_upgrade_twice_changes_nothing(cli_env):
    env, path = cli_env
    first = run(["db", "upgrade"], env)
    assert first.returncode == 0, first.stderr
    count = sqlite3.connect(path).execute("select count(*) from municipality").fetchone()[0]
    assert count >= 1900
    second = run(["db", "upgrade"], env)
    assert second.returncode == 0 and "0 municipalities added" in second.stdout
    assert sqlite3.connect(path).execute("select count(*) from municipality").fetchone()[0] == count


def test_create_admin_prints_the_token_last(cli_env):
    env, path = cli_env
    assert run(["db", "upgrade"], env).returncode == 0
    out = run(["users", "create-admin", "ops@example.jp", "--name", "運用担当"], env)
    assert out.returncode == 0, out.stderr
    token = out.stdout.strip().splitlines()[-1]
    assert token.startswith("rk_") and len(token) > 30
    row = sqlite3.connect(path).execute("select role, display_name from app_user where email='ops@example.jp'").fetchone()
    assert row == ("admin", "運用担当")
    again = run(["users", "create-admin", "ops@example.jp"], env)
    assert again.returncode == 1 and "既に登録" in again.stderr


def test_schema_export_writes_the_sdl(cli_env, tmp_path):
    env, _ = cli_env
    out = run(["schema", "export", "--output", str(tmp_path / "s.graphql")], env)
    assert out.returncode == 0, out.stderr
    assert "type Consultation" in (tmp_path / "s.graphql").read_text(encoding="utf-8")


def test_invite_emails_the_link_and_prints_it_last(cli_env):
    env, path = cli_env
    env["RENKEI_OUTBOX_DIR"] = str(path.parent / "outbox")
    env["RENKEI_PUBLIC_URL"] = "https://desk.example.jp"
    assert run(["db", "upgrade"], env).returncode == 0
    out = run(["users", "invite", "kensaku@example.jp", "--role", "prefecture_analyst", "--prefecture", "15"], env)
    assert out.returncode == 0, out.stderr
    url = out.stdout.strip().splitlines()[-1]
    assert url.startswith("https://desk.example.jp/invitation?token=") and len(url) > 60
    db = sqlite3.connect(path)
    assert db.execute("select role, prefecture_code, password_hash from app_user where email='kensaku@example.jp'"
                      ).fetchone() == ("prefecture_analyst", "15", None)
    [(recipients, body)] = db.execute("select recipients, text_body from mail_outbox where kind='invitation'"
                                      ).fetchall()
    assert "kensaku@example.jp" in recipients and url in body
    assert db.execute("select count(*) from api_token").fetchone()[0] == 0    # people get no API token
    again = run(["users", "invite", "x@example.jp", "--role", "coordinator"], env)
    assert again.returncode == 1 and "拠点の指定が必要" in again.stderr
