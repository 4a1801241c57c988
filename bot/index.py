"""A matching index over example questions: sparse TF-IDF vectors of words and character n-grams.

Pure and data-agnostic: it is built from any (intent id, example question) pairs, so the curated
knowledge base and benchmark data sets (CLINC150) go through the same code.

How a question is scored, and why:
- features are words, word pairs and character 3–5-grams inside words; the n-grams make inflected
  Russian/Kazakh forms and typos overlap with the examples without a stemmer;
- weights are TF-IDF (rare features count more), each vector scaled to unit length, so unknown
  words in a question lower its score instead of being ignored (near misses decline);
- a question is compared with every example (nearest neighbour) and with every intent's centroid
  (all its examples together), then the two cosines are blended per intent;
- the examples' vectors are stored column-wise (an inverted index), so a question only touches the
  examples that share a feature with it, and numpy does the summing: no Python loop over examples;
- a question word the index has never seen is matched against the vocabulary with rapidfuzz,
  so "resolutoin" still finds "resolution".
"""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

import numpy as np
from rapidfuzz import fuzz, process

from bot.text import Synonyms, normalize, tokens


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Knobs of the vector model; the defaults are what the benchmarks measured best."""

    char_min: int = 3
    char_max: int = 5
    word_weight: float = 1.0
    bigram_weight: float = 0.7
    char_weight: float = 0.6
    #: Blend of nearest-example and centroid cosines (1.0 = nearest example only).
    example_share: float = 0.5
    #: Typo tolerance: an unknown word of at least this length is mapped to a close known word.
    typo_min_length: int = 4
    typo_cutoff: float = 82.0


DEFAULT_PARAMS: Final = IndexParams()


@dataclass(frozen=True, slots=True)
class Match:
    """One intent's score for a question, with the example question it came closest to."""

    intent: str
    score: float
    example: int  # position of the closest example in the index


class _Columns:
    """A sparse matrix stored by column (feature): for each feature, rows and weights."""

    def __init__(self, rows_by_feature: list[list[tuple[int, float]]]) -> None:
        sizes = np.fromiter((len(c) for c in rows_by_feature), dtype=np.int64)
        self.starts = np.zeros(len(rows_by_feature) + 1, dtype=np.int64)
        np.cumsum(sizes, out=self.starts[1:])
        total = int(self.starts[-1])
        self.rows = np.empty(total, dtype=np.int32)
        self.weights = np.empty(total, dtype=np.float32)
        position = 0
        for column in rows_by_feature:
            for row, weight in column:
                self.rows[position] = row
                self.weights[position] = weight
                position += 1

    def dot(self, features: Sequence[int], values: Sequence[float], n_rows: int) -> np.ndarray:
        """Matrix × sparse query vector: one score per row."""
        if not features:
            return np.zeros(n_rows, dtype=np.float64)
        spans = [(self.starts[f], self.starts[f + 1]) for f in features]
        rows = np.concatenate([self.rows[a:b] for a, b in spans])
        weights = np.concatenate(
            [self.weights[a:b] * value for (a, b), value in zip(spans, values, strict=True)]
        )
        return np.bincount(rows, weights=weights, minlength=n_rows)


class Index:
    """Ranks intents for a question by similarity to their example questions."""

    def __init__(
        self,
        examples: Iterable[tuple[str, str]],
        synonyms: Synonyms | None = None,
        params: IndexParams = DEFAULT_PARAMS,
    ) -> None:
        self.params = params
        self._synonyms = synonyms or Synonyms()
        pairs = sorted(examples, key=lambda pair: pair[0])  # intents' examples sit together
        self.intents: tuple[str, ...] = tuple(dict.fromkeys(intent for intent, _ in pairs))
        intent_pos = {intent: i for i, intent in enumerate(self.intents)}
        self.example_texts: tuple[str, ...] = tuple(text for _, text in pairs)
        self.example_intent = np.array([intent_pos[i] for i, _ in pairs], dtype=np.int32)
        self._intent_starts = np.searchsorted(self.example_intent, np.arange(len(self.intents)))
        counted = [self._count(text) for _, text in pairs]
        self._vocabulary: dict[str, int] = {}
        for counts in counted:
            for feature in counts:
                self._vocabulary.setdefault(feature, len(self._vocabulary))
        self._idf = self._inverse_document_frequency(counted)
        self._words = sorted({f[2:] for f in self._vocabulary if f.startswith("w:")})
        example_columns: list[list[tuple[int, float]]] = [[] for _ in self._vocabulary]
        centroids: list[dict[int, float]] = [defaultdict(float) for _ in self.intents]
        for row, counts in enumerate(counted):
            vector = self._vectorize(counts)
            for feature, weight in vector.items():
                example_columns[feature].append((row, weight))
                centroids[self.example_intent[row]][feature] += weight
        self._examples = _Columns(example_columns)
        self._centroids = _Columns(self._centroid_columns(centroids))

    def __len__(self) -> int:
        return len(self.example_texts)

    # --- building ---------------------------------------------------------------------------

    def _count(self, text: str) -> Counter[str]:
        """Feature counts of a text: words, word pairs, character n-grams inside words."""
        words = tokens(self._synonyms.apply(normalize(text)))
        return self._count_words(words)

    def _count_words(self, words: Sequence[str]) -> Counter[str]:
        counts: Counter[str] = Counter()
        p = self.params
        for word in words:
            counts["w:" + word] += 1
            padded = f" {word} "
            for n in range(p.char_min, p.char_max + 1):
                for start in range(max(1, len(padded) - n + 1)):
                    counts["c:" + padded[start : start + n]] += 1
        for first, second in itertools.pairwise(words):
            counts[f"b:{first} {second}"] += 1
        return counts

    def _inverse_document_frequency(self, counted: Sequence[Counter[str]]) -> np.ndarray:
        frequency = np.zeros(len(self._vocabulary), dtype=np.float64)
        for counts in counted:
            for feature in counts:
                frequency[self._vocabulary[feature]] += 1
        return np.log((1 + len(counted)) / (1 + frequency)) + 1.0

    def _kind_weight(self, feature: str) -> float:
        p = self.params
        return {"w": p.word_weight, "b": p.bigram_weight, "c": p.char_weight}[feature[0]]

    def _vectorize(
        self, counts: Counter[str], unknown_idf: float | None = None
    ) -> dict[int, float]:
        """Unit-length TF-IDF vector over known features; unknown ones only add to the length."""
        vector: dict[int, float] = {}
        unknown_mass = 0.0
        for feature, count in counts.items():
            weight = (1.0 + math.log(count)) * self._kind_weight(feature)
            column = self._vocabulary.get(feature)
            if column is None:
                unknown_mass += (weight * (unknown_idf or 0.0)) ** 2
            else:
                vector[column] = weight * float(self._idf[column])
        norm = math.sqrt(sum(v * v for v in vector.values()) + unknown_mass)
        return {f: v / norm for f, v in vector.items()} if norm else {}

    def _centroid_columns(
        self, centroids: list[dict[int, float]]
    ) -> list[list[tuple[int, float]]]:
        columns: list[list[tuple[int, float]]] = [[] for _ in self._vocabulary]
        for intent, centroid in enumerate(centroids):
            norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
            for feature, weight in centroid.items():
                columns[feature].append((intent, weight / norm))
        return columns

    # --- querying ---------------------------------------------------------------------------

    def query_features(self, text: str) -> Counter[str]:
        """Features of a question, with unknown words swapped for close known ones (typos)."""
        words = tokens(self._synonyms.apply(normalize(text)))
        return self._count_words([self._correct(word) for word in words])

    def _correct(self, word: str) -> str:
        if "w:" + word in self._vocabulary or len(word) < self.params.typo_min_length:
            return word
        best = process.extractOne(
            word, self._words, scorer=fuzz.ratio, score_cutoff=self.params.typo_cutoff
        )
        return best[0] if best else word

    def rank(self, text: str, limit: int = 5) -> list[Match]:
        """The best `limit` intents for a question, best first; scores are cosines in [0, 1]."""
        if not self.intents:
            return []
        counts = self.query_features(text)
        unknown_idf = float(self._idf.max()) if len(self._idf) else 1.0
        vector = self._vectorize(counts, unknown_idf=unknown_idf)
        if not vector:
            return []
        features, values = list(vector), list(vector.values())
        per_example = self._examples.dot(features, values, len(self.example_texts))
        best_example = np.maximum.reduceat(per_example, self._intent_starts)
        centroid = self._centroids.dot(features, values, len(self.intents))
        share = self.params.example_share
        scores = share * best_example + (1.0 - share) * centroid
        top = np.argsort(-scores)[:limit]
        return [
            Match(self.intents[i], float(scores[i]), self._closest_example(per_example, int(i)))
            for i in top
            if scores[i] > 0
        ]

    def _closest_example(self, per_example: np.ndarray, intent: int) -> int:
        start = int(self._intent_starts[intent])
        end = (
            int(self._intent_starts[intent + 1])
            if intent + 1 < len(self.intents)
            else len(self.example_texts)
        )
        return start + int(np.argmax(per_example[start:end]))
