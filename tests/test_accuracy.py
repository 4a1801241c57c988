"""Accuracy on the held-out questions, the way `python -m bot eval` measures it.

The knowledge-base issue's targets (en ≥ 95 %, ru ≥ 92 %, kk ≥ 90 %, off-topic declined ≥ 95 %,
none answered with a quote) are not all met yet. The floors below are the figures measured on each
pool (development, report-only, and the fresh and stress sets kept apart) when the knowledge base
or the engine last changed (see README, "Knowledge base and accuracy"), one question lower:
retraining alone (another random seed, one example more or less) moves a
pool by about a point, and a single 24–70-question set by several, so floors per set would fail on
noise and pass real regressions hidden in it. A change that makes the bot worse by more than that
fails here. Raise the floors as the bot improves; never lower them to make a change pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.evaluation import Summary, check_labels, evaluate, load_labelled, summarize

DATA = Path(__file__).parent / "data"

POOLS = {
    # Development sets: tests/calibrate.py fits the thresholds on these three.
    "development": ("heldout.yaml", "heldout2.yaml", "heldout4.yaml"),
    # Report-only sets, never used to fit thresholds or pick the seed (heldout7, 8, 10 and 11
    # were each measured once, with the engine as committed, before they were first counted).
    # Their failure kinds did guide which styles of example were written next (chatty, formal).
    "report-only": (
        "heldout3.yaml",
        "heldout5.yaml",
        "heldout6.yaml",
        "heldout7.yaml",
        "heldout8.yaml",
        "heldout9.yaml",
        "heldout10.yaml",
        "heldout11.yaml",
    ),
    # The freshest set, measured once before anything was changed for it; kept apart so its
    # figures (and the general UN questions it found answered with a quote) stay visible.
    "fresh": ("heldout12.yaml",),
    # Written and measured once on 2026-11-23 (late evening) with the engine as committed; one
    # of its failures then showed a bug (a number of the second of two facts asked declined
    # the first), which was fixed: that question is now answered.
    "fresh-13": ("heldout13.yaml",),
    # Written and measured once on 2026-11-23 (night), after the rule for questions about the UN
    # itself (bot/unsaid.py) was committed.
    "fresh-14": ("heldout14.yaml",),
    # A near-miss stress set (2026-11-23, night): 104 questions to decline, most sharing words
    # with documented facts, and 74 in-scope ones worded with the same words. Measured once
    # with the engine as of 18cddf3, before anything was changed for it.
    "stress-15": ("heldout15.yaml",),
    # A second stress set written the same way, measured once with the engine as of 71f7547
    # (after the topics heldout15 showed); two of its in-scope questions wrongly declined by
    # those topics were then fixed (a possessive "Secretary-General's", "адрес мне не нужен").
    "stress-16": ("heldout16.yaml",),
    # A third stress set, measured once with the engine as of a769bd8; nothing changed for it.
    "stress-17": ("heldout17.yaml",),
    # A fourth stress set (2026-11-24), measured once with the engine as of 7a8c909 (after the
    # topics of other countries, GDP and who else attended); four of its near misses then shaped
    # the rule for a part of a documented total ("How many of the 152 were from Asia?").
    "stress-18": ("heldout18.yaml",),
    # An ordinary set (2026-11-24) written after everything above, measured once with the
    # engine as of 54315fc (bot/ as at 81a8f32); nothing changed for it.
    "fresh-19": ("heldout19.yaml",),
    "fresh-20": ("heldout20.yaml",),
    # written with known gaps as expectations (a gap is a decline: bot/evaluation.py)
    "fresh-21": ("heldout21.yaml",),
    # written in Telegram users' styles (voice-to-text, follow-up-style, indirect questions);
    # measured once with the engine as of 1d0fd5f
    "fresh-22": ("heldout22.yaml",),
    # new styles (yes/no, wrong premises, SMS spelling, code-switching, quoted phrases, why/how);
    # measured once with the engine as of b686fc4
    "fresh-23": ("heldout23.yaml",),
    # an ordinary mix again, measured once with the engine as of dd5c52d (after heldout23's
    # changes, none of them shaped on this set)
    "fresh-24": ("heldout24.yaml",),
    "fresh-25": ("heldout25.yaml",),
    "fresh-26": ("heldout26.yaml",),
    # leaning on chatty, formal and typed-in-a-hurry messages; measured once with the engine as
    # of 4151595 (the names rule, shaped on earlier sets only)
    "fresh-27": ("heldout27.yaml",),
    # Telegram styles (voice, short, code-switch, yes/no, SMS); measured once with the engine as
    # of 38f668c, its wrong premises the documents refute relabelled to accept the refuting
    # fact or a decline (README)
    "fresh-28": ("heldout28.yaml",),
    # A fifth near-miss stress set (2026-11-24): 97 near misses asking a detail beyond a
    # documented fact; measured once with the engine as of 8362029; the topics its misses showed
    # (the next meeting, an agreement, which companies, citizenship, indicators, a floor or room,
    # other bids, disputes and borders, when the SDGs were adopted, rent) were added after that.
    "stress-29": ("heldout29.yaml",),
    # realistic, slightly adversarial users (phone- and voice-typed, mixed scripts, quoted
    # phrases, follow-ups, refuted premises; near misses asking predictions, opinions,
    # comparisons, personal requests, unstated reasons); measured once with the engine as of
    # e6935e8; the "why then" topic and "where in Astana" were added after that.
    "fresh-30": ("heldout30.yaml",),
    # 115 in-scope questions over all 50 facts in eight styles (typos, keywords, long chatty
    # messages, paraphrases, "I read that…", slang, official, two facts at once) and 95 near
    # misses (what happened after the articles, procedures, quantities, comparisons, invented
    # details); measured once with the engine as of 47b0175; nothing changed for it.
    "fresh-31": ("heldout31.yaml",),
}

#: (pool, language or outcome, floor). Measured 2026-11-23 after adding chatty and formal
#: example questions to every intent (six per fact and language), broader off-topic examples,
#: the money rule, and the training seed chosen again on the development sets (10):
#: development en 96.9 / ru 96.1 / kk 99.2 / declined 98.2 / small talk 96.6 %;
#: report-only, with heldout11 (written after those changes, measured once) joining the pool,
#: en 93.7 / ru 95.7 / kk 95.1 / declined 97.7 / small talk 93.3 %; then, with a question that
#: leans on its context no longer declined as off-topic, report-only en 94.2 / kk 95.3 %. Later
#: that evening (no "did you mean" when "the documents don't say" is about as likely, long
#: thank-yous, who holds an office now, Latin-typed Kazakh): development declined 100 %,
#: report-only kk 95.6 / declined 98.9 / small talk 100 %; heldout12 (fresh) en 96.5 / ru 95.2 /
#: kk 95.7 / declined 92.0 / small talk 100 %; with two swapped letters corrected ("tlak"),
#: report-only en 94.4 %; with small talk as unsure as "none of these" declined, report-only
#: declined 99.1 %.
#: Each floor is the measured figure less one question (development: or the earlier floor where
#: that was higher), so that a change which loses a right answer somewhere shows up here.
FLOORS = [
    ("development", "en", 0.968),
    ("development", "ru", 0.953),
    ("development", "kk", 0.984),
    ("development", "decline", 0.993),
    ("development", "smalltalk", 0.93),
    ("report-only", "en", 0.941),
    ("report-only", "ru", 0.954),
    ("report-only", "kk", 0.953),
    ("report-only", "decline", 0.988),
    ("report-only", "smalltalk", 0.983),
    ("fresh", "en", 0.947),
    ("fresh", "ru", 0.935),
    ("fresh", "kk", 0.936),
    # Declines raised after the rule for questions about the UN itself (49/50 declined).
    ("fresh", "decline", 0.96),
    ("fresh", "smalltalk", 0.75),
    # heldout13, first measurement: en 55/58, ru 58/61 (59 after the fix), kk 44/45, declined
    # 35/38, small talk 2/2; floors one question lower.
    ("fresh-13", "en", 0.931),
    ("fresh-13", "ru", 0.950),
    ("fresh-13", "kk", 0.955),
    ("fresh-13", "decline", 0.973),  # 38/38 after the UN-itself and vote-count rules
    ("fresh-13", "smalltalk", 0.5),
    # heldout14, first measurement: en 52/52, ru 47/47, kk 40/41, declined 58/58, small talk
    # 10/10; floors one question lower.
    ("fresh-14", "en", 0.98),
    ("fresh-14", "ru", 0.978),
    ("fresh-14", "kk", 0.951),
    ("fresh-14", "decline", 0.982),
    ("fresh-14", "smalltalk", 0.9),
    # heldout15, first measurement: en 29/30, ru 24/25, kk 18/19, declined 88/104; declined
    # 95/104 after the address, entry-into-force and UNRCCA-seat topics its misses showed.
    ("stress-15", "en", 0.933),
    ("stress-15", "ru", 0.92),
    ("stress-15", "kk", 0.894),
    # Declined 97/104, 93/100 and 113/120 after the topics of other countries, GDP and who else
    # attended (shaped on these three sets' misses, so not a fresh measurement); 98/104 and
    # 94/100 after the part-of-a-total rule.
    # 101/104 after the vote-count topic (stop 20).
    ("stress-15", "decline", 0.980),  # 103/104 after the how-long and what-else topics
    # heldout16, first measurement: en 28/30, ru 28/31, kk 28/28, declined 89/100; floors one
    # question lower.
    ("stress-16", "en", 0.90),
    ("stress-16", "ru", 0.87),
    ("stress-16", "kk", 0.964),
    ("stress-16", "decline", 0.97),  # 98/100 after stop 21's figure rules and topics
    # heldout17, first measurement: en 29/29, ru 24/25, kk 20/21, declined 109/120.
    ("stress-17", "en", 0.965),
    ("stress-17", "ru", 0.92),
    ("stress-17", "kk", 0.904),
    ("stress-17", "decline", 0.966),  # 117/120 after the vote-count and later topics
    # heldout18, first measurement: en 33/34, ru 24/24, kk 26/26, declined 93/112 (13 quoted);
    # declined 97/112 after the part-of-a-total rule its misses showed.
    ("stress-18", "en", 0.941),
    ("stress-18", "ru", 0.958),
    ("stress-18", "kk", 0.961),
    ("stress-18", "decline", 0.946),  # 107/112 after stop 21's figure rules and topics
    # heldout19, first measurement: en 43/45, ru 44/46, kk 37/37, declined 40/44, small talk
    # 3/3; floors one question lower.
    ("fresh-19", "en", 0.933),
    ("fresh-19", "ru", 0.934),
    ("fresh-19", "kk", 0.972),
    ("fresh-19", "decline", 0.954),  # 43/44 after stop 21's names topic
    ("fresh-19", "smalltalk", 0.66),
    # heldout20, first measurement (29e84e0): en 45/46, ru 35/37, kk 29/30, declined 36/37 (1
    # quoted), small talk 1/1 (its other 14 equal to examples or earlier sets); floors one
    # question lower.
    ("fresh-20", "en", 0.956),
    ("fresh-20", "ru", 0.918),
    ("fresh-20", "kk", 0.933),
    ("fresh-20", "decline", 0.972),  # 37/37 after the since-then topic (shaped on it)
    # heldout21, first measurement (2c7ce85, gaps scored as declines): en 27/29, ru 29/30,
    # kk 23/24, declined 86/106 (12 quoted: near misses far from any gap), small talk 3/3.
    ("fresh-21", "en", 0.896),
    ("fresh-21", "ru", 0.933),
    ("fresh-21", "kk", 0.916),
    ("fresh-21", "decline", 0.896),  # 96/106 after rules shaped on its quoted misses
    ("fresh-21", "smalltalk", 0.66),
    # heldout22, first measurement (1d0fd5f): en 46/50, ru 47/50, kk 48/52, declined 48/54
    # (2 quoted), small talk 5/5; floors one question lower.
    ("fresh-22", "en", 0.939),  # 48/50 after "Toqaev" and the stretch of long requests
    ("fresh-22", "ru", 0.919),
    ("fresh-22", "kk", 0.903),
    ("fresh-22", "decline", 0.944),  # 52/54 after the topics its misses showed
    ("fresh-22", "smalltalk", 0.79),
    # heldout23, first measurement (b686fc4): en 42/50, ru 42/47, kk 35/44, declined 44/49
    # (3 quoted), small talk 2/2; floors one question lower.
    ("fresh-23", "en", 0.82),
    ("fresh-23", "ru", 0.872),
    ("fresh-23", "kk", 0.772),
    ("fresh-23", "decline", 0.877),
    ("fresh-23", "smalltalk", 0.5),
    # heldout24, first measurement (dd5c52d): en 33/36, ru 40/44, kk 38/40, declined 40/46
    # (3 quoted), small talk 2/2; floors one question lower.
    ("fresh-24", "en", 0.888),
    ("fresh-24", "ru", 0.886),
    ("fresh-24", "kk", 0.925),
    ("fresh-24", "decline", 0.847),
    ("fresh-24", "smalltalk", 0.5),
    # heldout25, first measurement (78ff9cb): en 44/48, ru 45/46, kk 42/47, declined 43/43
    # (none quoted), small talk 4/5; floors one question lower.
    ("fresh-25", "en", 0.895),
    ("fresh-25", "ru", 0.956),
    ("fresh-25", "kk", 0.872),
    ("fresh-25", "decline", 0.976),
    ("fresh-25", "smalltalk", 0.6),
    # heldout26, first measurement (853dad8): en 46/49, ru 39/46, kk 43/44, declined 40/42
    # (1 quoted), small talk 4/4; floors one question lower.
    ("fresh-26", "en", 0.918),
    ("fresh-26", "ru", 0.826),
    ("fresh-26", "kk", 0.954),
    ("fresh-26", "decline", 0.928),
    ("fresh-26", "smalltalk", 0.75),
    # heldout27 first measured en 44/46, ru 52/54, kk 50/52, declined 39/41, small talk 4/4
    ("fresh-27", "en", 0.934),
    ("fresh-27", "ru", 0.944),
    ("fresh-27", "kk", 0.942),
    ("fresh-27", "decline", 0.926),
    ("fresh-27", "smalltalk", 0.75),
    # heldout28 first measured (38f668c, labels as relabelled) en 56/57, ru 50/51, kk 49/53,
    # declined 32/35 (2 quoted), small talk 2/2; with the helper's labels declined 37/48, 9 quoted.
    ("fresh-28", "en", 0.964),
    ("fresh-28", "ru", 0.960),
    ("fresh-28", "kk", 0.905),
    ("fresh-28", "decline", 0.885),
    ("fresh-28", "smalltalk", 0.5),
    # heldout29 first measured (8362029): en 26/27, ru 20/22, kk 23/25, declined 92/120 (25
    # quoted), small talk 4/4; declined 105/120 (14 quoted) after the topics its misses showed.
    ("stress-29", "en", 0.925),
    ("stress-29", "ru", 0.863),
    ("stress-29", "kk", 0.88),
    ("stress-29", "decline", 0.866),
    ("stress-29", "smalltalk", 0.75),
    # heldout30 first measured (e6935e8): en 29/32, ru 26/28, kk 28/28, declined 85/90 (2
    # quoted), small talk 1/1 (no floor: one question); then en 30/32 (a refuted premise the
    # why-Almaty fact answers, relabelled to accept it) and declined 88/90 (none quoted).
    ("fresh-30", "en", 0.906),
    ("fresh-30", "ru", 0.892),
    ("fresh-30", "kk", 0.964),
    ("fresh-30", "decline", 0.966),
    # heldout31 first measured (47b0175): en 30/35, ru 30/34, kk 33/36, declined 81/85 (3
    # quoted), small talk 8/9.
    ("fresh-31", "en", 0.828),
    ("fresh-31", "ru", 0.852),
    ("fresh-31", "kk", 0.888),
    ("fresh-31", "decline", 0.941),
    ("fresh-31", "smalltalk", 0.777),
]
#: Off-topic questions answered with a quote, per pool: the target is none; these are the
#: counts measured with the floors above. heldout12's three and one of heldout13's two were
#: general questions about the UN (its member states and headquarters), now declined by a rule;
#: heldout13's other one asked the resolution's vote tally, declined since by the vote-count topic.
QUOTED_LIMITS = {
    "development": 0,
    "report-only": 0,
    "fresh": 0,
    "fresh-13": 0,  # its vote tally: declined by the vote-count topic (stop 20)
    "fresh-14": 0,
    "stress-15": 0,  # 12 when first measured; 6, 4, 3, 2, then none after the rules its misses showed
    "stress-16": 0,  # 6 when first measured
    "stress-17": 0,  # 10 when first measured; 6, 3 once vote tallies were declined, then 0
    "stress-18": 2,  # 17 when first measured, 13, 11, 9, 4, 3, then 2 (which companies: declined since)
    "fresh-19": 0,  # 2 when first measured (Imnadze's years in office, agency heads' names)
    "fresh-20": 0,  # 1 when first measured ("what has the centre achieved since…", declined since)
    "fresh-21": 4,  # 12 when first measured (other sources, councils, opinion: declined since)
    "fresh-22": 0,  # 2 when first measured (delegations, the Resident Coordinator)
    "fresh-23": 1,  # 3 when first measured (the Taliban, what Imnadze said of Afghanistan: declined since)
    "fresh-24": 0,  # 3 when first measured (a hotel, the parliament, an hour: declined since)
    "fresh-25": 0,  # none when first measured
    "fresh-26": 0,  # 1 when first measured (what Tokayev said at UN Plaza: declined since, stop 26)
    "fresh-27": 0,  # 2 when first measured (the centre "opened in Astana": declined since;
    # Nazarbayev "proposing it in Astana": refuted by the fact, relabelled)
    "fresh-28": 1,  # 2 when first measured (UNDP's office; the year the SDGs were adopted, declined since)
    "stress-29": 14,  # 25 when first measured, 14 after the topics its misses showed
    "fresh-30": 0,  # 2 when first measured (where in Astana they met; why at the 74th session)
    "fresh-31": 3,  # internships for Afghan students, the Aral Sea, what Kyrgyzstan's minister said
}


@pytest.fixture(scope="module")
def summaries(engine: Engine) -> dict[str, Summary]:
    result = {}
    for pool, files in POOLS.items():
        outcomes = []
        for name in files:
            items = load_labelled(DATA / name)
            check_labels(items, engine.knowledge, name)
            outcomes.extend(evaluate(engine, items))
        result[pool] = summarize(outcomes)
    return result


@pytest.mark.parametrize(("pool", "key", "floor"), FLOORS, ids=[f"{p}-{k}" for p, k, _ in FLOORS])
def test_held_out_accuracy_stays_above_its_measured_floor(summaries, pool, key, floor):
    assert summaries[pool].rate(key) >= floor


def test_off_topic_questions_are_almost_never_answered_with_a_quote(summaries):
    for pool, limit in QUOTED_LIMITS.items():
        assert summaries[pool].quoted_off_topic <= limit, pool


def test_every_reply_is_in_the_language_of_the_question(summaries):
    for summary in summaries.values():
        right, total = summary.language_right
        assert right / total >= 0.98
