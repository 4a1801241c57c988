"""`eval` and `coverage`: the figures an admin reads about the knowledge base."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.errors import KnowledgeError
from bot.evaluation import check_labels, coverage, load_labelled, sentences

pytestmark = pytest.mark.usefixtures("cli_data_dir")


def write(tmp_path, text: str):
    path = tmp_path / "labelled.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_eval_prints_accuracy_per_language_and_outcome_and_the_failures(tmp_path, capsys):
    path = write(
        tmp_path,
        "version: 1\nquestions:\n"
        "  - {text: 'who came up with the idea of the centre', lang: en, expect: centre-who-proposed}\n"
        "  - {text: 'what is the weather in Paris', lang: en, expect: decline}\n"
        "  - {text: 'tell me a joke about cats', lang: en, expect: centre-who-proposed}\n",
    )
    assert main(["eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert "en: 1/2 = 50.0 %" in out
    assert "decline: 1/1 = 100.0 %" in out
    assert "Failed questions (1):" in out
    assert "'tell me a joke about cats'" in out


def test_a_question_labelled_with_a_known_gap_counts_as_a_decline(tmp_path, capsys):
    """A gap is the documents' own "they don't say": its question is declined, not answered,
    and a gap listed beside a fact is a right reply too."""
    path = write(
        tmp_path,
        "version: 1\nquestions:\n"
        "  - {text: 'who will direct the centre', lang: en, expect: gap-centre-director}\n"
        "  - {text: 'in what year was the 74th session', lang: en,"
        " expect: [centre-first-proposed, gap-unga74-year]}\n",
    )
    assert main(["eval", str(path)]) == 0
    out = capsys.readouterr().out
    assert "decline: 1/1 = 100.0 %" in out
    assert "en: 1/1 = 100.0 %" in out
    assert "Failed questions" not in out


def test_a_label_naming_no_intent_is_an_error(tmp_path, kb):
    path = write(
        tmp_path, "version: 1\nquestions:\n  - {text: hi there, lang: en, expect: nope}\n"
    )
    with pytest.raises(KnowledgeError, match=r"labelled\.yaml:3: expect 'nope' is not an intent"):
        check_labels(load_labelled(path), kb, str(path))


def test_a_held_out_question_may_not_be_an_example_question(tmp_path, kb):
    path = write(
        tmp_path,
        "version: 1\nquestions:\n  - {text: 'Who proposed the centre?', lang: en, expect: centre-who-proposed}\n",
    )
    with pytest.raises(KnowledgeError, match="is an example question, not held out"):
        check_labels(load_labelled(path), kb, str(path))


def test_documents_are_split_into_sentences_without_the_dateline(kb):
    source = kb.sources["mfa-2025-03-06"]
    split = sentences(source)
    assert split[0].startswith("Initiative of the President of Kazakhstan")
    assert any(s.startswith("152 UN member states") for s in split)


def test_coverage_names_the_intents_quoting_each_sentence(kb):
    report = coverage(kb)
    proposed = [s for s in report if "initiative of the President of Kazakhstan Kassym" in s.text]
    assert "centre-who-proposed" in proposed[0].quoted_by


def test_coverage_ends_with_a_summary_line(capsys):
    assert main(["coverage"]) == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.endswith("sentences covered")
