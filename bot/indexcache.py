"""The built index, kept on disk in the data folder so a restart does not rebuild it.

Building the index (TF-IDF vectors, centroids, the classifier's training) is most of the bot's
start-up time and, while the classifier trains, about 150 MB of memory above what the bot needs
afterwards (a large index is trained in a short-lived child process: `IndexCache._train`). The
result depends only on the example questions, the synonyms, the index's parameters and the code
that builds it, so it is stored under a hash of all four: a restart with the same knowledge base
loads it in a few hundredths of a second; any edit to an example, a synonym or the matching code
gives a new hash and a fresh build, which then replaces the file.

The file is a pickle: only the bot writes to its data folder (which also holds `secret.key`),
the prebuilt folder is part of the image (written at build time, read-only at run time), and a
pickle loads the index's arrays and dictionaries as they were. A file that cannot be read
or written (a full or read-only disk, a truncated file) is logged and the index is built as if
there were no cache: the cache can make start-up faster, never make it fail.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import pickle
import platform
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Final

import numpy as np

import bot.index
import bot.text
from bot.ahead import FOLDER, SUFFIX, child_process
from bot.engine import Engine, build_index, index_examples
from bot.index import DEFAULT_PARAMS, Index, IndexParams
from bot.knowledge import Knowledge, load

logger = logging.getLogger(__name__)

#: Bump when the file's layout changes in a way the code hashes below would not notice.
_FORMAT: Final = 1
#: The modules whose code decides what an index holds.
_CODE: Final = (bot.index, bot.text)
#: From this many example questions on, an index is trained in a child process (see
#: `IndexCache._train`); a smaller one trains in less time than a process takes to start.
TRAIN_APART_FROM: Final = 2_000


class IndexCache:
    """Builds indexes through a folder of saved ones; pass `cache.build` to `Engine`.

    `prebuilt` is a read-only folder looked in second: the container image builds the index of
    the knowledge base it ships (`python -m bot index --into DIR`), so a new container, or one
    started from a new image version, answers within a second of starting instead of training
    first (and never reaches training's memory peak) unless the admins have edited the intents.
    """

    def __init__(
        self,
        folder: Path,
        prebuilt: Path | None = None,
        apart_from: int = TRAIN_APART_FROM,
        ahead: Future[bool] | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.prebuilt = None if prebuilt is None else Path(prebuilt)
        self.apart_from = apart_from
        #: The child process of `bot.ahead.train_ahead`, which the first build waits for.
        self._ahead = ahead

    def build(
        self,
        examples: Sequence[tuple[str, str]],
        synonyms: Sequence[Sequence[str]],
        params: IndexParams,
    ) -> Index:
        ahead, self._ahead = self._ahead, None
        name = _file_name(examples, synonyms, params)
        path = self.folder / name
        index = self._read(path)
        if index is None and self.prebuilt is not None:
            index = self._read(self.prebuilt / name)
        if index is None and ahead is not None:
            index = self._trained_ahead(ahead, path)
        if index is None:
            index = self._train(path, examples, synonyms, params)
        return index.with_examples(examples)  # a saved index holds no example texts

    def _train(
        self,
        path: Path,
        examples: Sequence[tuple[str, str]],
        synonyms: Sequence[Sequence[str]],
        params: IndexParams,
    ) -> Index:
        """Build and save an index; a large one in a child process, which saves it, and this
        process then loads it as a restart would.

        Why a child: training's temporaries (~150 MB for the shipped knowledge base) are freed
        afterwards, but a process keeps part of what it freed (the allocator's heap is left in
        fragments): trained here, the bot would run on at ~133 MB where a loaded index leaves it
        at ~108 MB, and a reload would add its own fragments. A child's memory all goes back to
        the system when it exits. The cost: the child's own Python and numpy (~35 MB) while it
        trains, and ~0.2 s to start it. When the child cannot run or cannot save (a full disk),
        the index is trained here as before.
        """
        if len(examples) >= self.apart_from:
            try:
                saved = _in_child(
                    _train_and_save, self.folder, path.name, examples, synonyms, params
                )
            except Exception as error:  # a child that could not start, or died
                logger.warning("training in a child process failed (%r); training here", error)
            else:
                index = self._read(path) if saved else None
                if index is not None:
                    return index
        index = build_index(examples, synonyms, params)
        self._write(path, index)
        return index

    def _trained_ahead(self, ahead: Future[bool], path: Path) -> Index | None:
        """The index `ahead`'s child saved, if it is this knowledge base's (the child read the
        files itself: an edit in between gives it another)."""
        try:
            ahead.result()
        except Exception as error:  # a child that died, or a knowledge base it could not load
            logger.warning("training the index ahead failed (%r)", error)
            return None
        return self._read(path)

    def _read(self, path: Path) -> Index | None:
        try:
            with path.open("rb") as file:
                index = pickle.load(file)  # noqa: S301 - written by this bot or its image build
        except FileNotFoundError:
            return None
        except Exception as error:  # a damaged file can fail to unpickle in many ways
            logger.warning(
                "the saved index %s could not be read (%s); building it again",
                path.name,
                type(error).__name__,
            )
            return None
        if not isinstance(index, Index):
            logger.warning("the saved index %s is not an index; building it again", path.name)
            return None
        logger.info("index loaded from %s", path)
        return index

    def _write(self, path: Path, index: Index) -> bool:
        """Save atomically (a crash leaves the old file or none), then drop older indexes;
        False when it could not be saved."""
        temporary: str | None = None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(handle, "wb") as file:
                pickle.dump(index, file, protocol=pickle.HIGHEST_PROTOCOL)
            Path(temporary).replace(path)
            temporary = None
        except (OSError, pickle.PicklingError) as error:
            logger.warning(
                "the index could not be saved for the next start (%s: %s); the bot runs on",
                type(error).__name__,
                error,
            )
            return False
        finally:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    Path(temporary).unlink()
        for old in self.folder.glob(f"*{SUFFIX}"):
            if old != path:
                with contextlib.suppress(OSError):
                    old.unlink()
        return True


def _train_and_save(
    folder: Path,
    name: str,
    examples: Sequence[tuple[str, str]],
    synonyms: Sequence[Sequence[str]],
    params: IndexParams,
) -> bool:
    """In the child process: train the index and save it under `folder/name`."""
    return IndexCache(folder)._write(folder / name, build_index(examples, synonyms, params))


def train_from_files(folder: Path, intents_dir: Path, seeds_dir: Path) -> bool:
    """In `bot.ahead`'s child process: load the knowledge base, then train and save its index
    (False when it is small enough for the bot to train itself, or could not be saved)."""
    knowledge = load(intents_dir, seeds_dir, cross_check=False)
    examples = index_examples(knowledge)
    if len(examples) < TRAIN_APART_FROM:
        return False
    name = _file_name(examples, knowledge.synonyms, DEFAULT_PARAMS)
    return _train_and_save(folder, name, examples, knowledge.synonyms, DEFAULT_PARAMS)


def _in_child(function: Callable[..., bool], *args: object) -> bool:
    """Run `function(*args)` in a new Python process (`bot.ahead.child_process`)."""
    with child_process() as child:
        return child.submit(function, *args).result()


def _file_name(
    examples: Sequence[tuple[str, str]],
    synonyms: Sequence[Sequence[str]],
    params: IndexParams,
) -> str:
    """The saved index's file name: the bot finds `bot.ahead`'s child's file by it."""
    return f"{cache_key(examples, synonyms, params)}{SUFFIX}"


def cache_key(
    examples: Sequence[tuple[str, str]],
    synonyms: Sequence[Sequence[str]],
    params: IndexParams,
) -> str:
    """A hash of everything the built index depends on (order of examples included)."""
    digest = hashlib.sha256()
    versions = (_FORMAT, platform.python_version(), np.__version__, repr(params))
    digest.update(repr(versions).encode())
    for module in _CODE:
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(repr([tuple(group) for group in synonyms]).encode())
    for intent, question in examples:
        digest.update(f"{intent}\0{question}\0".encode())
    return digest.hexdigest()[:32]


def engine_builder(
    data_dir: Path, prebuilt: Path | None = None, ahead: Future[bool] | None = None
) -> Callable[[Knowledge], Engine]:
    """Builds engines whose index is saved in (and loaded from) `data_dir/index/`, or loaded
    from the read-only `prebuilt` folder when it holds the index of the same knowledge; the
    first build waits for `ahead` (`bot.ahead.train_ahead`) when neither folder has it."""
    cache = IndexCache(Path(data_dir) / FOLDER, prebuilt, ahead=ahead)
    return functools.partial(Engine, build=cache.build)
