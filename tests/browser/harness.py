"""Real-browser tooling shared by the browser tests and scripts/screenshots.py: the app served by uvicorn
in a subprocess on a free port, Debian's chromium driven by Playwright (never a browser download),
axe-core from the npm registry in a cache directory, and the log-in steps a person takes."""

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pyotp

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
AXE_VERSION = "4.11.1"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "renkei-desk"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`uvicorn backend.app:create_app --factory` with the given RENKEI_* settings, until stop()."""

    def __init__(self, *, database_url: str, outbox_dir: Path, log_path: Path, extra_env: dict | None = None) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("RENKEI_")}
        env.update({"RENKEI_DATABASE_URL": database_url, "RENKEI_OUTBOX_DIR": str(outbox_dir),
                    "RENKEI_PUBLIC_URL": self.url, "RENKEI_TOKEN_CACHE_SECONDS": "0", "RENKEI_LOG_LEVEL": "WARNING"})
        env.update(extra_env or {})
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "backend.app:create_app", "--factory",
                                      "--host", "127.0.0.1", "--port", str(self.port), "--no-access-log",
                                      "--log-level", "warning"], cwd=ROOT, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {log_path}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not answer /healthz within 60 s; see {log_path}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self.log.close()


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian's chromium is not installed: apt-get install chromium (scripts/test.sh does)")


async def launch(playwright):
    require_chromium()
    return await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def axe_script() -> Path:
    """axe-core's browser build from the npm registry (`npm install axe-core@AXE_VERSION`), cached."""
    target = CACHE / f"axe-core-{AXE_VERSION}"
    script = target / "node_modules" / "axe-core" / "axe.min.js"
    if not script.exists():
        if shutil.which("npm") is None:
            raise RuntimeError("npm is needed once to fetch axe-core into " + str(target))
        target.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(target),
                        f"axe-core@{AXE_VERSION}"], check=True, timeout=300)
    return script


async def axe_violations(page, *, impacts=("serious", "critical")) -> list[dict]:
    """axe-core run on the page as it is now (WCAG 2.x A/AA rules and best practices); the violations of
    the given impacts, each with its rule id, help and the first offending elements."""
    await page.add_script_tag(path=str(axe_script()))
    result = await page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations']});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                       nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    return json.dumps(violations, ensure_ascii=False, indent=1)


def totp_now(secret: str) -> str:
    return pyotp.TOTP(secret.replace(" ", "")).now()


def fresh_code(secret: str) -> str:
    """A code of a 30-second step not used yet: the server accepts each step once, so a second log-in
    within the same step waits for the next one."""
    totp = pyotp.TOTP(secret.replace(" ", ""))
    step = int(time.time()) // 30
    fresh_code.used = getattr(fresh_code, "used", {})
    if fresh_code.used.get(secret) == step:
        time.sleep(30 - time.time() % 30 + 0.2)
        step = int(time.time()) // 30
    fresh_code.used[secret] = step
    return totp.now()


async def log_in(page, base_url: str, *, email: str, password: str, secret: str, path: str = "/") -> None:
    """The person's log-in: e-mail and password, then a code from their authenticator app."""
    await page.goto(base_url + path)
    await page.get_by_label("メールアドレス").fill(email)
    await page.get_by_label("パスワード", exact=True).fill(password)
    await page.get_by_role("button", name="次へ（確認コードの入力）").click()
    await page.get_by_label("確認コード（6桁）").fill(fresh_code(secret))
    await page.get_by_role("button", name="ログイン").click()
    await page.wait_for_load_state()
