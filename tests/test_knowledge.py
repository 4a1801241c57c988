"""The validator: every kind of admin mistake is reported as `file:line: message`, all at once."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.errors import KnowledgeError
from bot.knowledge import load
from tests.conftest import INTENTS, SEEDS

GOOD = """\
version: 1
intents:
  - id: centre-who
    topic: centre
    questions:
      en:
        - Who proposed the centre?
      ru:
        - Кто предложил центр?
      kk:
        - Орталықты кім ұсынды?
    answer:
      en: The President of Kazakhstan, Kassym-Jomart Tokayev.
      ru: Президент Казахстана Касым-Жомарт Токаев.
      kk: Қазақстан Президенті Қасым-Жомарт Тоқаев.
    quotes:
      - source: mfa-2025-03-06
        text: >-
          The establishment of the UN SDG Centre is an important step in implementing the
          initiative of the President of Kazakhstan Kassym-Jomart Tokayev
"""

WriteIntents = Callable[[str], Path]


@pytest.fixture
def write_intents(tmp_path: Path) -> WriteIntents:
    """A fresh intents folder with the real UI file and one file `test.yaml` holding `text`."""

    def write(text: str) -> Path:
        folder = tmp_path / "intents"
        folder.mkdir(exist_ok=True)
        shutil.copy(INTENTS / "_bot.yaml", folder / "_bot.yaml")
        (folder / "test.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
        return folder

    return write


def problems_for(folder: Path, seeds: Path = SEEDS) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load(folder, seeds)
    return [str(p).replace(str(folder) + "/", "") for p in caught.value.problems]


def test_the_shipped_knowledge_base_passes_the_check(kb):
    assert kb.summary().startswith("OK: ")
    assert len(kb.intents) >= 3


def test_a_good_file_loads_with_its_quote_and_lines(write_intents):
    knowledge = load(write_intents(GOOD), SEEDS)
    intent = knowledge.intents["centre-who"]
    assert intent.kind == "fact"
    assert intent.questions["kk"] == ("Орталықты кім ұсынды?",)
    assert intent.quotes[0].source == "mfa-2025-03-06"
    assert intent.line == 3


BROKEN = [
    pytest.param(
        GOOD.replace("        - Who proposed the centre?", "        - [Who proposed the centre"),
        "test.yaml:8: YAML syntax:",
        id="invalid-yaml",
    ),
    pytest.param(
        GOOD.replace("    answer:", "    answers:"),
        "test.yaml:12: unknown key 'answers' in an intent (did you mean 'answer'?)",
        id="unknown-key",
    ),
    pytest.param(
        GOOD.replace("      kk: Қазақстан Президенті Қасым-Жомарт Тоқаев.\n", ""),
        "test.yaml:13: the answer of intent 'centre-who' has no 'kk' text",
        id="missing-language",
    ),
    pytest.param(
        GOOD.replace("      ru:\n        - Кто предложил центр?\n", ""),
        "test.yaml:6: intent 'centre-who' has no 'ru' questions",
        id="missing-questions-language",
    ),
    pytest.param(
        GOOD.replace(
            "      en: The President of Kazakhstan, Kassym-Jomart Tokayev.", "      en: no"
        ),
        "test.yaml:13: the 'en' text of the answer of intent 'centre-who' should be text, got a "
        'yes/no value; put it in quotes: "no"',
        id="yes-no-trap",
    ),
    pytest.param(
        GOOD.replace(
            "      en:\n        - Who proposed the centre?", "      en: Who proposed the centre?"
        ),
        "test.yaml:6: the 'en' questions of intent 'centre-who' should be a list ('- item' lines)",
        id="wrong-type",
    ),
    pytest.param(
        GOOD.replace("  - id: centre-who\n", "  - topic: centre\n    id: centre-who\n"),
        "test.yaml:5: key 'topic' appears twice in an intent",
        id="duplicate-key",
    ),
    pytest.param(
        GOOD + GOOD.split("intents:\n")[1],
        "test.yaml:21: intent id 'centre-who' is already used at test.yaml:3",
        id="duplicate-id",
    ),
    pytest.param(
        GOOD
        + GOOD.split("intents:\n")[1]
        .replace("id: centre-who", "id: centre-other")
        .replace("- Кто предложил центр?", "- Кто ещё?")
        .replace("- Орталықты кім ұсынды?", "- Тағы кім?"),
        "test.yaml:25: question \"Who proposed the centre?\" (en) of 'centre-other' is also under "
        "'centre-who' at test.yaml:7",
        id="same-question-under-two-intents",
    ),
    pytest.param(
        GOOD.replace("Who proposed the centre?", "Who proposed the SDG centre?")
        + GOOD.split("intents:\n")[1]
        .replace("id: centre-who", "id: centre-other")
        .replace(
            "Who proposed the centre?", "Who proposed the sustainable development goals centre?"
        )
        .replace("- Кто предложил центр?", "- Кто ещё?")
        .replace("- Орталықты кім ұсынды?", "- Тағы кім?"),
        'test.yaml:25: question "Who proposed the sustainable development goals centre?" (en) of '
        "'centre-other' is also under 'centre-who' at test.yaml:7 as \"Who proposed the SDG centre?\"",
        id="same-question-once-synonyms-are-applied",
    ),
    pytest.param(
        GOOD + "    follow_ups: [centre-whom]\n",
        "test.yaml:21: follow-up 'centre-whom' of 'centre-who' is not an intent "
        "(did you mean 'centre-who'?)",
        id="unknown-follow-up",
    ),
    pytest.param(
        GOOD.replace("source: mfa-2025-03-06", "source: mfa-2025"),
        "test.yaml:17: source 'mfa-2025' is not in seeds/sources.yaml (did you mean 'mfa-2025-03-06'?)",
        id="unknown-source",
    ),
    pytest.param(
        GOOD.replace("an important step", "a crucial step"),
        "test.yaml:18: quote not found word for word in 003_58c17a29ac5caa8f.txt; closest passage: "
        '"The establishment of the UN SDG Centre is an important step',
        id="quote-not-verbatim",
    ),
    pytest.param(
        GOOD.replace(
            "      en: The President of Kazakhstan, Kassym-Jomart Tokayev.",
            "      en: " + "The President of Kazakhstan. " * 150,
        ),
        "test.yaml:13: the 'en' answer of intent 'centre-who' is 4349 characters; keep it under 700 "
        "(one or two sentences)",
        id="answer-too-long",
    ),
    pytest.param(
        GOOD.replace("    topic: centre\n", "    topic: centre\n    kind: smalltalk\n"),
        "test.yaml:17: smalltalk intent 'centre-who' must not have quotes",
        id="smalltalk-with-quote",
    ),
    pytest.param(
        GOOD.replace("version: 1\n", ""),
        "test.yaml:1: missing 'version: 1' at the top of the file",
        id="missing-version",
    ),
    pytest.param(
        GOOD.replace("topic: centre", "topic: centr"),
        "test.yaml:4: topic 'centr' is not in _bot.yaml topics (did you mean 'centre'?)",
        id="unknown-topic",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BROKEN)
def test_every_mistake_is_reported_with_its_file_and_line(write_intents, text, expected):
    problems = problems_for(write_intents(text))
    assert any(p.startswith(expected) for p in problems), problems


def test_a_follow_up_into_a_file_that_does_not_parse_says_so(write_intents):
    folder = write_intents(GOOD + "    follow_ups: [people-tokayev]\n")
    (folder / "people.yaml").write_text("version: 1\nintents: [\n", encoding="utf-8")
    problems = problems_for(folder)
    assert any(p.startswith("people.yaml:") and "YAML syntax" in p for p in problems)
    assert (
        "test.yaml:21: follow-up 'people-tokayev' of 'centre-who' is not an intent "
        "(or it is in people.yaml, which could not be read)"
    ) in problems  # and no far-fetched "did you mean" for it


def test_a_reply_longer_than_a_telegram_message_is_reported(write_intents):
    long_answer = "Kazakhstan proposed it. " * 25  # within the answer limit on its own...
    text = GOOD.replace("The President of Kazakhstan, Kassym-Jomart Tokayev.", long_answer)
    quote = "      - source: mfa-2025-03-06\n        text: Kazakhstan\n"
    text += "\n".join([quote] * 260)  # ...but with its quotes it no longer fits one message
    problems = problems_for(write_intents(text))
    assert any("would be about" in p and "Telegram allows 4096" in p for p in problems), problems


def test_all_problems_are_reported_at_once(write_intents):
    text = GOOD.replace("answer:", "answers:").replace("source: mfa-2025-03-06", "source: nope")
    problems = problems_for(write_intents(text))
    assert len(problems) >= 3  # unknown key, missing answer, unknown source


def test_a_quote_differing_only_in_typography_and_spacing_is_accepted(write_intents):
    # The seed writes Kazakhstan’s with a typographic apostrophe; the admin types a plain one.
    text = GOOD.replace(
        "The establishment of the UN SDG Centre is an important step in implementing the\n"
        "          initiative of the President of Kazakhstan Kassym-Jomart Tokayev",
        "The growing role of middle powers in global governance underscores the importance of\n"
        "          Kazakhstan's   efforts",
    )
    assert load(write_intents(text), SEEDS).intents["centre-who"].quotes


def test_a_quote_with_changed_case_is_not_accepted(write_intents):
    text = GOOD.replace(
        "The establishment of the UN SDG Centre", "the establishment of the UN SDG Centre"
    )
    assert any("quote not found word for word" in p for p in problems_for(write_intents(text)))


def test_seed_metadata_problems_name_the_sources_file(tmp_path, write_intents):
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    sources = (seeds / "sources.yaml").read_text(encoding="utf-8")
    (seeds / "sources.yaml").write_text(sources.replace('date: "2023-08-19"', "date: August"))
    problems = problems_for(write_intents(GOOD), seeds)
    assert any(p.endswith('date should be "YYYY-MM-DD" or null') for p in problems), problems


def test_seed_dates_are_the_documents_own_or_null(kb):
    dates = {s.file: s.date and s.date.isoformat() for s in kb.sources.values()}
    assert dates == {
        "000_2da54207eec9fd40.txt": "2023-08-19",
        "002_5bdbcc883d67d9b1.txt": None,
        "003_58c17a29ac5caa8f.txt": "2025-03-06",
    }


def test_seed_documents_are_kept_byte_for_byte():
    shared = Path(__file__).resolve().parents[2] / "shared" / "seeds"
    if not shared.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    for original in shared.glob("*.txt"):
        assert (SEEDS / original.name).read_bytes() == original.read_bytes()


def test_a_gap_intent_may_not_carry_a_quote(write_intents):
    text = GOOD.replace("    topic: centre\n", "    kind: gap\n")
    assert any(
        "gap intent 'centre-who' must not have quotes" in p
        for p in problems_for(write_intents(text))
    )


def test_the_names_list_must_be_a_list_of_names(tmp_path: Path):
    folder = tmp_path / "intents"
    shutil.copytree(INTENTS, folder)
    ui = folder / "_bot.yaml"
    text = ui.read_text(encoding="utf-8")
    ui.write_text(re.sub(r"\nnames:\n(?:  - .*\n)+", "\nnames: tokayev\n", text), "utf-8")
    line = text[: text.index("\nnames:")].count("\n") + 2
    assert [p for p in problems_for(folder) if "names" in p] == [
        f"_bot.yaml:{line}: names should be a list ('- item' lines)"
    ]


def test_a_name_is_one_spelling_or_a_list_of_spellings(tmp_path: Path):
    folder = tmp_path / "intents"
    shutil.copytree(INTENTS, folder)
    ui = folder / "_bot.yaml"
    text = ui.read_text(encoding="utf-8")
    ui.write_text(
        re.sub(r"\nnames:\n", "\nnames:\n  - [putin, путин]\n  - {who: nobody}\n", text), "utf-8"
    )
    line = text[: text.index("\nnames:")].count("\n") + 4
    assert [p for p in problems_for(folder) if "names" in p] == [
        f"_bot.yaml:{line}: an item of names should be text, not a list or mapping"
    ]
    text = re.sub(r"\nnames:\n", "\nnames:\n  - [putin, путин]\n", text)
    ui.write_text(text, "utf-8")
    names = load(folder, SEEDS).names
    assert ("putin", "путин") in names and ("tokayev",) in names
