"""`python -m bot health`: polling mode reads the heartbeat, webhook mode asks `/healthz`."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import Config
from bot.health import check_heartbeat


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    return tmp_path


def beat(data_dir: Path, seconds_ago: float) -> Path:
    """Write the heartbeat as the running bot does: a Unix timestamp."""
    path = Config(data_dir=data_dir).heartbeat_file
    path.write_text(f"{time.time() - seconds_ago:.3f}\n", encoding="utf-8")
    return path


def test_a_fresh_heartbeat_is_healthy(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    beat(data_dir, seconds_ago=3)
    assert main(["health"]) == 0
    assert capsys.readouterr().out.startswith("healthy: heartbeat 3 s old")


def test_a_stale_heartbeat_is_unhealthy_and_says_how_old_it_is(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    beat(data_dir, seconds_ago=95)
    assert main(["health"]) != 0
    assert capsys.readouterr().out.strip() == "unhealthy: heartbeat 95 s old (limit 60 s)"


def test_a_missing_heartbeat_is_unhealthy(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["health"]) != 0
    out = capsys.readouterr().out
    assert out.startswith("unhealthy: no heartbeat file")
    assert str(data_dir / "heartbeat") in out


def test_max_age_sets_the_limit(data_dir: Path) -> None:
    beat(data_dir, seconds_ago=30)
    assert main(["health"]) == 0
    assert main(["health", "--max-age", "10"]) != 0


def test_an_iso_time_in_the_heartbeat_is_understood(data_dir: Path) -> None:
    path = Config(data_dir=data_dir).heartbeat_file
    path.write_text((datetime.now(UTC) - timedelta(seconds=120)).isoformat(), encoding="utf-8")
    assert main(["health"]) != 0
    path.write_text(datetime.now(UTC).isoformat(), encoding="utf-8")
    assert main(["health"]) == 0


def test_an_empty_heartbeat_file_counts_by_its_modification_time(tmp_path: Path) -> None:
    path = tmp_path / "heartbeat"
    path.touch()
    assert check_heartbeat(path, max_age=60)[0]
    old = time.time() - 300
    os.utime(path, (old, old))
    healthy, reason = check_heartbeat(path, max_age=60)
    assert not healthy
    assert reason.startswith("heartbeat 300 s old")


class Healthz(BaseHTTPRequestHandler):
    """A stand-in for the running bot's `/healthz`: answers `server.status`."""

    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        status = self.server.status  # type: ignore[attr-defined]
        self.server.paths.append(self.path)  # type: ignore[attr-defined]
        body = b"ok\n" if status == 200 else b"heartbeat 95 s old (limit 60 s)\n"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def healthz(status: int) -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Healthz)
    server.status = status  # type: ignore[attr-defined]
    server.paths = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def webhook_mode(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://example.invalid/telegram")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "s3cret")
    monkeypatch.setenv("BOT_WEBHOOK_LISTEN", "0.0.0.0")
    # A proxy from the environment must not be asked about the bot's own port.
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    return monkeypatch


def test_webhook_mode_is_healthy_when_healthz_answers_200(
    webhook_mode: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with healthz(200) as server:
        webhook_mode.setenv("PORT", str(server.server_address[1]))
        assert main(["health"]) == 0
        assert main(["health", "--max-age", "20"]) == 0
        assert server.paths == ["/healthz?max_age=60", "/healthz?max_age=20"]  # type: ignore[attr-defined]
    out = capsys.readouterr().out
    assert out.startswith(
        f"healthy: http://127.0.0.1:{server.server_address[1]}/healthz answered 200"
    )


def test_webhook_mode_is_unhealthy_when_healthz_answers_503(
    webhook_mode: pytest.MonkeyPatch, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    beat(data_dir, seconds_ago=1)  # a fresh heartbeat file does not count in webhook mode
    with healthz(503) as server:
        webhook_mode.setenv("PORT", str(server.server_address[1]))
        assert main(["health"]) != 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("unhealthy: ")
    assert out.endswith("/healthz answered 503 (heartbeat 95 s old (limit 60 s))")


def test_webhook_mode_is_unhealthy_when_nothing_listens(
    webhook_mode: pytest.MonkeyPatch, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    beat(data_dir, seconds_ago=1)
    webhook_mode.setenv("PORT", str(free_port()))
    started = time.monotonic()
    assert main(["health"]) != 0
    assert time.monotonic() - started < 5
    out = capsys.readouterr().out.strip()
    assert out.startswith("unhealthy: no answer from http://127.0.0.1:")
    assert out.count("\n") == 0


def test_health_never_imports_telegram(data_dir: Path, tmp_path: Path) -> None:
    """It runs every 30 s in the container, so it stays light."""
    beat(data_dir, seconds_ago=1)
    code = (
        "import sys\n"
        "from bot.cli import main\n"
        "status = main(['health'])\n"
        "assert not any(m.split('.')[0] == 'telegram' for m in sys.modules), 'telegram imported'\n"
        "raise SystemExit(status)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
