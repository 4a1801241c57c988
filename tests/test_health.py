"""`python -m bot health`: healthy only while the running bot's heartbeat is fresh."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
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


def test_webhook_mode_is_judged_by_the_heartbeat_too(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOT_MODE", "webhook")
    monkeypatch.setenv("BOT_WEBHOOK_URL", "https://example.invalid/telegram")
    monkeypatch.setenv("BOT_WEBHOOK_SECRET", "s3cret")
    assert main(["health"]) != 0
    beat(data_dir, seconds_ago=1)
    assert main(["health"]) == 0


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
