"""Times `python -m bot report` over 10,000 logged questions (target: under 2 s).

Not collected by pytest. Run from the project root:

    python tests/bench/bench_report.py [--questions 10000] [--format text|csv|json]
                                       [--repeat 3] [--keep]

It fills a temporary data folder through `Store` (the same path the bot writes by), with a
realistic mix: three languages, all four outcomes, near-duplicate wordings of the same
unanswered questions (case, punctuation, contractions, typos, extra words) and a tail of
one-off questions; then runs the real command in a subprocess and prints the seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bot.store import Store  # noqa: E402

#: Unanswered questions people keep asking, a few wordings each.
UNANSWERED = {
    "en": [
        ["what is the budget", "What's the budget?", "what is the budget of the centre",
         "how much money does the centre have", "whats the centre budget"],
        ["how can I apply for a job at the centre", "are there any vacancies?",
         "how do I get a job at the SDG centre", "job openings at the centre"],
        ["when will the centre open", "When does the centre open?",
         "when will the SDG centre start working", "opening date of the centre"],
        ["what is the address of the centre", "where exactly is the office",
         "What is the centre's address?"],
        ["who is the director of the centre", "who heads the centre?", "who will lead the centre"],
        ["can I volunteer", "volunteering opportunities at the centre", "how to volunteer?"],
        ["what is the weather in almaty", "weather almaty today"],
    ],
    "ru": [
        ["какой бюджет у центра", "Какой бюджет центра?", "сколько денег выделено центру"],
        ["как устроиться на работу в центр", "есть ли вакансии в центре?", "вакансии центра ЦУР"],
        ["когда откроется центр", "Когда центр начнёт работу?", "дата открытия центра"],
        ["кто директор центра", "кто будет руководить центром?"],
    ],
    "kk": [
        ["орталықтың бюджеті қандай", "Орталықтың бюджеті қанша?"],
        ["орталыққа жұмысқа қалай орналасуға болады", "орталықта бос орындар бар ма?"],
        ["орталық қашан ашылады", "Орталық қашан жұмыс істей бастайды?"],
    ],
}  # fmt: skip
#: Answered questions and the intent that answers them.
ANSWERED = {
    "en": [("What is the UN SDG Centre in Almaty?", "centre-what-is"),
           ("who proposed the centre", "centre-who-proposed"),
           ("Whose initiative is the SDG centre?", "centre-who-proposed"),
           ("tell me about the UN regional centre", "centre-what-is")],
    "ru": [("Что такое Центр ООН по ЦУР в Алматы?", "centre-what-is"),
           ("Кто предложил создать центр?", "centre-who-proposed")],
    "kk": [("Алматыдағы БҰҰ-ның ТДМ орталығы деген не?", "centre-what-is"),
           ("Орталықты кім ұсынды?", "centre-who-proposed")],
}  # fmt: skip
SMALLTALK = {"en": ["hi", "hello", "thanks"], "ru": ["привет", "спасибо"], "kk": ["сәлем"]}
FILLER = ("please", "quickly", "actually", "exactly", "now", "again", "still", "really")
NOISE = ("river", "football", "bitcoin", "visa", "metro", "museum", "taxi", "hotel", "ticket",
         "concert", "airport", "university", "embassy", "passport", "tax", "bank", "pension")  # fmt: skip


def vary(text: str, rng: random.Random) -> str:
    """A realistic re-typing: case, punctuation, a typo, a filler word."""
    roll = rng.random()
    if roll < 0.2:
        text = text.lower()
    elif roll < 0.3:
        text = text.capitalize()
    if rng.random() < 0.3:
        text = text.rstrip("?") + rng.choice(["?", "??", "", "!", " ?"])
    if rng.random() < 0.1 and len(text) > 8:
        i = rng.randrange(1, len(text) - 1)
        text = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if rng.random() < 0.1:
        text = f"{text} {rng.choice(FILLER)}"
    return text


def one_off(rng: random.Random) -> str:
    words = rng.sample(NOISE, 3)
    return f"{rng.choice(['what about', 'where is the', 'how much is the'])} {' '.join(words)}"


def fill(data_dir: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    moment = [now]  # the store's clock: each question (and its vote) at a random time
    store = Store(data_dir, secret=b"bench-secret-0123456789", clock=lambda: moment[0])
    languages = rng.choices(["en", "ru", "kk"], weights=[5, 3, 2], k=n)
    for i, lang in enumerate(languages):
        moment[0] = now - dt.timedelta(seconds=rng.uniform(0, 6.5 * 86400))
        user = rng.randrange(1, 2000)
        roll = rng.random()
        if roll < 0.45:
            asked, intent = rng.choice(ANSWERED[lang])
            text, kind, score = vary(asked, rng), "answer", 0.7
        elif roll < 0.55:
            intent, kind, score = "greeting", "smalltalk", 0.8
            text = vary(rng.choice(SMALLTALK[lang]), rng)
        elif roll < 0.95:
            group = rng.choice(UNANSWERED[lang])
            text, intent = vary(rng.choice(group), rng), None
            kind, score = rng.choice([("decline", 0.1), ("decline", 0.2), ("clarify", 0.35)])
        else:
            text, intent, kind, score = one_off(rng), None, "decline", 0.05
        store.record_question(
            user_id=user,
            language=lang,
            text=text,
            kind=kind,
            intent=intent,
            score=score,
            chat_type="private" if i % 7 else "group",
        )
        if intent and rng.random() < 0.1:
            store.record_vote(user_id=user, intent=intent, up=rng.random() < 0.7)
    store.close()


def run_report(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """One run of the command: wall seconds, CPU seconds, its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"the report failed ({done.returncode}):\n{done.stderr}")
    # CPU time too: on a busy machine the wall clock also measures other people's work.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--format", choices=("text", "csv", "json"), default="text")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the fastest counts")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and print it")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-report-"))
    try:
        started = time.perf_counter()
        fill(folder, args.questions)
        print(f"filled {args.questions} questions in {time.perf_counter() - started:.2f} s")
        env = {**os.environ, "BOT_DATA_DIR": str(folder)}
        command = [sys.executable, "-m", "bot", "report", "--since", "7d", "--format", args.format]
        runs = [run_report(command, env) for _ in range(max(1, args.repeat))]
    finally:
        if args.keep:
            print(f"data kept in {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    wall, cpu, output = min(runs)
    print(output[:1500])
    verdict = "OK" if wall < 2.0 else "TOO SLOW"
    print(
        f"python -m bot report over {args.questions} questions: best of {len(runs)}: "
        f"{wall:.2f} s wall, {cpu:.2f} s CPU ({verdict}, target < 2 s)"
    )
    return 0 if wall < 2.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
