"""`make run` on a fresh machine: Forge's own error pages, plain HTTP, static and media files."""

import subprocess
import sys

import httpx
import pytest

from tests.assets.factories import AssetFactory
from tests.processes import (
    ROOT,
    free_port,
    process_env,
    procfile_web_command,
    running,
    wait_for_port,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the test process itself has from this checkout's .env; a fresh install has none of it.
LOCAL_NAMES = {"DEBUG", "SECRET_KEY", "FORGE_HTTPS", "LOG_JSON", "STATIC_ROOT"}


def load_local_env_script():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import local_env
    finally:
        sys.path.pop(0)
    return local_env


@pytest.fixture
def fresh_install(tmp_path):
    """Start the web process the way `make run` does, with only the .env it writes."""
    env_file = tmp_path / ".env"
    load_local_env_script().main(env_file)
    base = {k: v for k, v in process_env().items() if k not in LOCAL_NAMES}
    env = {**base, "FORGE_ENV_FILE": str(env_file), "STATIC_ROOT": str(tmp_path / "static")}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )
    port = free_port()
    args, assignments = procfile_web_command(port)
    with running(args, env={**env, **assignments}, log_path=tmp_path / "web.log"):
        wait_for_port(port)
        yield f"http://127.0.0.1:{port}", env_file


def test_the_local_env_is_written_once_and_keeps_its_secret_key(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("DEBUG=on\n")
    script = load_local_env_script()
    script.main(env_file)
    first = env_file.read_text()
    script.main(env_file)
    assert env_file.read_text() == first
    assert first.startswith("DEBUG=on\n")  # a developer's own choice stays
    key = next(line for line in first.splitlines() if line.startswith("SECRET_KEY="))
    assert len(key.removeprefix("SECRET_KEY=")) >= 50
    assert "FORGE_HTTPS=off" in first


def test_a_fresh_install_shows_forges_pages_over_plain_http(fresh_install):
    base, _ = fresh_install
    missing = httpx.get(f"{base}/no-such-page/", timeout=10)
    assert missing.status_code == 404
    assert "Back to the gallery" in missing.text
    assert "URLconf" not in missing.text and "urlpatterns" not in missing.text

    home = httpx.get(f"{base}/", timeout=10)
    assert home.status_code == 200  # no redirect to HTTPS on plain localhost
    login = httpx.get(f"{base}/accounts/login/", timeout=10)
    assert "secure" not in login.headers["set-cookie"].lower()

    css = httpx.get(f"{base}/static/css/forge.css", timeout=10)
    assert css.status_code == 200
    assert "text/css" in css.headers["content-type"]

    asset = AssetFactory(visibility="public")
    thumbnail = httpx.get(f"{base}{asset.thumbnail.url}", timeout=10)
    assert thumbnail.status_code == 200
    assert thumbnail.content.startswith(b"\x89PNG")
