"""The command line as a user types it: ask, ask --json (single and batch), chat, check."""

from __future__ import annotations

import io
import json
import shutil

import pytest

from bot.cli import main
from tests.conftest import INTENTS, SEEDS

pytestmark = pytest.mark.usefixtures("cli_data_dir")


def test_ask_prints_the_answer_with_its_quote(capsys):
    assert main(["ask", "Who proposed the centre?"]) == 0
    out = capsys.readouterr().out
    assert "Tokayev" in out and "«" in out


def test_ask_json_prints_one_object(capsys):
    assert main(["ask", "--json", "Кто предложил создать центр?"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["kind"], payload["language"]) == ("answer", "ru")


def test_ask_reads_one_question_per_line_from_stdin(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Who proposed the centre?\n\nhello\n"))
    assert main(["ask", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["answer", "smalltalk"]


def test_ask_lang_forces_the_reply_language(capsys):
    assert main(["ask", "--json", "--lang", "kk", "Who proposed the centre?"]) == 0
    assert json.loads(capsys.readouterr().out)["language"] == "kk"


def test_chat_answers_piped_questions(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Who proposed the centre?\nhello\n"))
    assert main(["chat"]) == 0
    out = capsys.readouterr().out
    assert "Tokayev" in out and "Hello" in out


def test_check_prints_a_summary_on_success(capsys):
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_check_fails_with_file_and_line_on_a_broken_file(capsys, tmp_path):
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    broken = intents / "broken.yaml"
    broken.write_text("version: 1\nintents:\n  - id: x\n    questions: [\n", encoding="utf-8")
    assert main(["check", "--intents", str(intents), "--seeds", str(SEEDS)]) == 1
    assert f"{broken}:5: YAML syntax" in capsys.readouterr().err


def test_run_without_a_token_points_to_the_terminal_chat(capsys):
    pytest.importorskip("bot.app")
    assert main(["run"]) == 2
    assert "python -m bot chat" in capsys.readouterr().err


def test_index_builds_the_index_ahead_into_a_folder_others_can_read(capsys, tmp_path):
    """The image's build step: the saved file must be readable by the unprivileged bot user."""
    folder = tmp_path / "prebuilt"
    assert (
        main(["index", "--into", str(folder), "--intents", str(INTENTS), "--seeds", str(SEEDS)])
        == 0
    )
    (saved,) = folder.glob("*.pickle")
    assert saved.stat().st_mode & 0o044 == 0o044
    assert f"ready in {saved}" in capsys.readouterr().out


def test_ask_saves_the_index_so_the_next_ask_does_not_train_again(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    assert main(["ask", "Who proposed the centre?"]) == 0
    first = capsys.readouterr().out
    (saved,) = (tmp_path / "index").glob("*.pickle")
    built = saved.stat().st_mtime_ns
    assert main(["ask", "Who proposed the centre?"]) == 0
    assert capsys.readouterr().out == first
    assert saved.stat().st_mtime_ns == built, "the second ask loaded the saved index"
