"""Text normalisation, tokenising and language detection. Pure functions, no I/O.

Two normalisations live here, for two different jobs:
- `normalize` folds everything that should not change a match (case, punctuation, typographic
  variants, ё/е, Kazakh letters typed without a Kazakh keyboard) and is used for matching only;
- `normalize_quote` folds only white space and typographic quotes/dashes, so a quote check never
  accepts a quote whose words differ from the document.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Final, Literal, get_args

Lang = Literal["en", "ru", "kk"]
LANGS: Final[tuple[Lang, ...]] = get_args(Lang)

_TYPOGRAPHIC: Final = {
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2039": "'", "\u203a": "'",
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-", "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2026": "...",
}  # fmt: skip
_SPACES: Final = re.compile(r"\s+")

#: Kazakh letters folded to the Russian letters people type when they lack a Kazakh keyboard.
_KAZAKH_FOLD: Final = {
    "ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
    "ё": "е",
}  # fmt: skip
#: The folds as one regular expression: `str.translate` with a dict costs ~12 µs on a Cyrillic
#: sentence, a search for the few characters that change ~1 µs.
_FOLDS: Final = {**_TYPOGRAPHIC, **_KAZAKH_FOLD, "_": " "}
_FOLDED: Final = re.compile("[" + re.escape("".join(_FOLDS)) + "]")
_TYPOGRAPHIC_CHAR: Final = re.compile("[" + re.escape("".join(_TYPOGRAPHIC)) + "]")
_KAZAKH_LETTER: Final = re.compile("[әғқңөұүһі]")
#: Letters counted to tell the script (a regular expression: a Python loop over the characters
#: took a tenth of a long question's time).
_CYRILLIC: Final = re.compile("[\u0400-\u04ff]+")
_LATIN: Final = re.compile("[a-z]+")
#: Frequent Kazakh words written without Kazakh-only letters (so they say "kk", not "ru").
_KAZAKH_WORDS: Final = frozenset(
    "туралы деген бе ма ме ба па пе кандай калай кашан кай неше жане кайда орталык бар жок "
    "андай осы мына сол керек сурак рахмет саламатсыз салем ким канша кимнин кайсы ушин "
    "жумыс истейди болды болады болган ашылды куни жылы буу карар орталыгы сыртки неге бул "
    "кандай нени киммен лауазымы озы кым сау бол айтып берши".split()
)
#: Russian words Kazakh never uses (prepositions, question words): with them, Kazakh letters
#: only in capitalised words are names spelled the Kazakh way ("Где Тоқаев впервые…").
_RUSSIAN_ONLY: Final = frozenset(
    "где что кто как когда почему зачем сколько какой какая какие каком в на с по для из о об "
    "ли это".split()
)
#: Words of the grammar, not of the subject: in a message that mixes scripts they tell its
#: language, where English terms in a Russian question ("Что значит middle powers и global
#: governance?") or a Kazakh-spelled name in an English one ("Who is this Тоқаев?") outnumber
#: them.
_CYRILLIC_GRAMMAR: Final = _RUSSIAN_ONLY | frozenset(
    "и а но у к от про не там тут здесь этот эта этим этого был была было были есть "
    "мен және бе ма ме ба па пе туралы деген қандай қалай қашан қай неше кім не бар жоқ осы "
    "мына сол үшін ғана да де та те".split()
)
_ENGLISH_GRAMMAR: Final = frozenset(
    "the a an is are was were be of in on at to for with and or what who whom where when why "
    "how which did does do this that these those it its about from by will can could would "
    "should".split()
)
#: Russian and Kazakh typed in Latin letters ("gde budet centr", "ortalyq qayda"): words that
#: mark the language, since the script alone says English.
_LATIN_RUSSIAN: Final = frozenset(
    "kto chto gde kogda skolko pochemu zachem kakoy kakaya kakie kakoe budet eto kak oon tsur "
    "centr tsentr rezolyuciya rezolyutsiya prinyali prinyata kazakhstana privet spasibo kem "
    "kakoi kakoj kuda otkuda dlya mozhno nuzhno".split()
)
#: Beginnings of Russian words typed in Latin letters ("predlozhil", "sozdaniya").
_LATIN_RUSSIAN_STEMS: Final = (
    "predlozh", "sozda", "rezoly", "prinya", "nahod", "nakhod", "rasposlozh", "raspolag",
    "zachem", "pochemu", "skolk", "tsentr", "vstrech", "vstretil", "doeh", "doek",
)  # fmt: skip
_LATIN_KAZAKH: Final = frozenset(
    "qanday qalay qashan qayda qay neshe qansha boldy turaly ortalyq ortalygy qarar buu zhane "
    "jane ushin rakhmet rahmet kandai kashan kaida degen kimge kansha kai kaisy kalai nege "
    "bul osy ozi ozy bolady jaksy zhaksy durys kerek tilin tili kyzmet kyzmetker bastama "
    "jariyalady algash ne neni talqylady talkylady kezdesti kimdermen bildiredi baryp".split()
)
#: Beginnings of Kazakh words typed in Latin letters ("ortalyqtyn", "usyndy", "qabyldandy").
_LATIN_KAZAKH_STEMS: Final = (
    "ortalyq", "ortalyk", "usyn", "qabyl", "kabyl", "qarar", "karar", "memleket", "qazaqstan",
    "auganstan",
)  # fmt: skip
#: English words that say a Latin text is English after all ("tokaev role in the sdg centr").
_ENGLISH_WORDS: Final = frozenset(
    "the a an is are was were what who whom where when why how which does do did will would be "
    "of in on at to for and or with about from by this that it its his her their you your can "
    "please hi hello".split()
)
#: Kazakh Latin spelling uses q for қ; in English a q without u is rare ("Iraq", "Qatar").
_KAZAKH_Q: Final = re.compile(r"q(?!u)\w")
#: Informal Latin → Cyrillic, longest first (Kazakh letters come out folded, as `normalize` does).
_TO_CYRILLIC: Final = (
    ("shch", "щ"), ("sch", "щ"), ("zh", "ж"), ("kh", "х"), ("ch", "ч"), ("sh", "ш"),
    ("ts", "ц"), ("ya", "я"), ("yu", "ю"), ("yo", "е"), ("ye", "е"), ("gh", "г"),
    ("a", "а"), ("b", "б"), ("c", "ц"), ("d", "д"), ("e", "е"), ("f", "ф"), ("g", "г"),
    ("h", "х"), ("i", "и"), ("j", "ж"), ("k", "к"), ("l", "л"), ("m", "м"), ("n", "н"),
    ("o", "о"), ("p", "п"), ("q", "к"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("v", "в"), ("w", "у"), ("x", "кс"), ("y", "ы"), ("z", "з"), ("'", ""),
)  # fmt: skip
_LATIN_RUN: Final = re.compile("|".join(re.escape(latin) for latin, _ in _TO_CYRILLIC))
_CYRILLIC_OF: Final = dict(_TO_CYRILLIC)
_VOWELS: Final = frozenset("aeiouy")
_WORD: Final = re.compile(r"\w+")
_NON_WORD: Final = re.compile(r"[^\w\s]+")


def normalize_quote(text: str) -> str:
    """Fold white space and typographic quotes/dashes only; words and case stay as written."""
    typographic = _TYPOGRAPHIC_CHAR.sub(lambda found: _TYPOGRAPHIC[found[0]], text)
    return _SPACES.sub(" ", typographic).strip()


@functools.lru_cache(maxsize=256)  # one message is normalised once per part and per step
def normalize(text: str) -> str:
    """Fold a question for matching: NFKC, case, punctuation, typographic and Kazakh variants."""
    folded = unicodedata.normalize("NFKC", text).casefold()  # none of the folds has a case
    folded = _FOLDED.sub(lambda found: _FOLDS[found[0]], folded)
    return " ".join(_NON_WORD.sub(" ", folded).split())


def tokens(normalized: str) -> list[str]:
    """Words of an already normalised text."""
    return _WORD.findall(normalized)


def detect_language(text: str, hint: str | None = None) -> Lang:
    """Guess en/ru/kk from the script and Kazakh-only letters; `hint` (Telegram's
    language_code or the user's choice) decides what the script alone cannot."""
    hinted = _lang_from_code(hint)
    lowered = unicodedata.normalize("NFKC", text).casefold()
    latin = sum(map(len, _LATIN.findall(lowered)))
    cyrillic = sum(map(len, _CYRILLIC.findall(lowered)))
    mixed = cyrillic > 0 and latin > 0  # a word count only when both scripts are there
    if _mostly_cyrillic(text) if mixed else cyrillic > latin:
        if _KAZAKH_LETTER.search(lowered) and not _russian_with_kazakh_names(text):
            return "kk"
        if hinted == "kk" or _KAZAKH_WORDS.intersection(tokens(normalize(text))):
            return "kk"
        return "ru"
    latin_lang = transliterated_language(lowered)
    if latin_lang:
        return latin_lang
    # Short Latin text from a Russian or Kazakh user is usually a name or an abbreviation
    # ("UNRCCA", "UN Plaza"): answer in the user's own language.
    if latin and (hinted == "en" or hinted is None or len(tokens(lowered)) > 2):
        return "en"
    return hinted or "en"


def _mostly_cyrillic(text: str) -> bool:
    """More words of the grammar in Cyrillic than in Latin letters ("Кто был initiator
    резолюции в General Assembly?", "Who is this Тоқаев in the articles?"); on a tie, more words
    that begin with a small letter (names and terms are capitalised: "Когда открыли UN
    Plaza?"), then more words, then more letters."""
    # [Cyrillic, Latin] counts of grammar words, words in small letters, all words
    grammar, small, every = [0, 0], [0, 0], [0, 0]
    for word in _WORD.findall(text):
        folded = word.casefold()
        first = folded[0]
        script = 1 if "a" <= first <= "z" else 0 if "\u0400" <= first <= "\u04ff" else -1
        if script >= 0:
            every[script] += 1
            small[script] += word[0].islower()
            grammar[script] += folded in (_ENGLISH_GRAMMAR if script else _CYRILLIC_GRAMMAR)
    for cyrillic, latin in (grammar, small, every):
        if cyrillic != latin:
            return cyrillic > latin
    lowered = text.casefold()
    return sum(map(len, _CYRILLIC.findall(lowered))) > sum(map(len, _LATIN.findall(lowered)))


def _russian_with_kazakh_names(text: str) -> bool:
    """Kazakh letters in capitalised words only, beside a word Kazakh never uses."""
    words = _WORD.findall(text)
    kazakh = [word for word in words if _KAZAKH_LETTER.search(word.casefold())]
    return all(word[0].isupper() for word in kazakh) and bool(
        _RUSSIAN_ONLY.intersection(word.casefold() for word in words)
    )


def transliterated_language(text: str) -> Lang | None:
    """Russian or Kazakh typed in Latin letters ("kto predlozhil centr", "ortalyq qayda"),
    recognised by marker words and word beginnings; None for anything else."""
    ordered = tokens(text.casefold())
    words = set(ordered)
    kazakh = len(words & _LATIN_KAZAKH) + sum(
        1 for word in words if word.startswith(_LATIN_KAZAKH_STEMS)
    )
    # "kim" (who) ends a Kazakh question ("tokaev kim?"); elsewhere it may be a name.
    kazakh += bool(ordered) and ordered[-1] == "kim"
    # Two words with a q not before u ("qanša qarar") say Kazakh; one may be "Qatar".
    q_words = sum(1 for word in words if _KAZAKH_Q.search(word))
    kazakh += q_words if q_words >= 2 else 0
    russian = len(words & _LATIN_RUSSIAN) + sum(
        1 for word in words if word.startswith(_LATIN_RUSSIAN_STEMS)
    )
    if max(kazakh, russian) <= len(words & _ENGLISH_WORDS):
        return None
    if kazakh > russian:
        return "kk"
    return "ru" if russian else None


def to_cyrillic(text: str) -> str:
    """Russian or Kazakh typed in Latin letters, spelled in Cyrillic so it can match examples."""
    return _LATIN_RUN.sub(_cyrillic_letter, text.casefold())


def _cyrillic_letter(match: re.Match[str]) -> str:
    latin, text, at = match.group(0), match.string, match.start()
    # "y" after a vowel and not before one is "й" (kakoy, qayda); elsewhere "ы" (vy, bylo).
    if latin == "y" and at and text[at - 1] in "aeiou" and text[at + 1 : at + 2] not in _VOWELS:
        return "й"
    return _CYRILLIC_OF[latin]


def _lang_from_code(code: str | None) -> Lang | None:
    if not code:
        return None
    prefix = code.lower().split("-")[0].split("_")[0]
    return prefix if prefix in LANGS else None


class Synonyms:
    """Replaces every variant of a term with one canonical spelling, on normalised text.

    Groups come from `intents/_bot.yaml` (e.g. SDG, SDGs, ЦУР, ТДМ) so a Russian "ЦУР" matches an
    example that says "SDG". Multi-word variants ("united nations") go before single words.
    """

    def __init__(self, groups: Iterable[Iterable[str]] = ()) -> None:
        mapping: dict[str, str] = {}
        for group in groups:
            variants = [normalize(v) for v in group if normalize(v)]
            if not variants:
                continue
            canonical = variants[0].replace(" ", "_")
            for variant in variants:
                mapping.setdefault(variant, canonical)
        self._mapping: Mapping[str, str] = mapping
        ordered = sorted(mapping, key=len, reverse=True)
        self._pattern = (
            re.compile(r"(?<!\w)(" + "|".join(map(re.escape, ordered)) + r")(?!\w)")
            if ordered
            else None
        )

    def apply(self, normalized: str) -> str:
        if self._pattern is None:
            return normalized
        return self._pattern.sub(lambda match: self._mapping[match.group(1)], normalized)

    def words(self, normalized: str) -> list[str]:
        """A normalised text's words as the engine matches them, synonyms applied. Two example
        questions with the same words are one question to it."""
        return tokens(self.apply(normalized))
