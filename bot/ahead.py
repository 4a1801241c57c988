"""A first start's index, trained in a child process started before the bot loads anything.

With no index saved (in the data folder, or prebuilt in the image) the bot must train one, in a
child process (`bot.indexcache`), before it can answer. Started here, as `run` begins, the
child's own start (a new interpreter, numpy and the index's code: ~0.3 s) and its reading of the
knowledge base run beside the bot's instead of ahead of the training. The child reads the
knowledge base itself and needs nothing from the bot: handing it the examples later, while
Telegram's libraries import in another thread (they hold the GIL for long stretches), took
0.3-0.4 s. Only the standard library is imported here, so the child starts before numpy loads.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Final

logger = logging.getLogger(__name__)

#: Where indexes are saved: `FOLDER` in the data folder, one `*SUFFIX` file per index.
FOLDER: Final = "index"
SUFFIX: Final = ".pickle"


def child_process() -> ProcessPoolExecutor:
    """A pool of one new Python process. Spawned, not forked: the bot has threads (a fork copies
    their locks in whatever state they are in), and a spawned child starts from a clean heap
    instead of sharing the bot's."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))


def train_ahead(
    data_dir: Path, prebuilt: Path | None, intents_dir: Path, seeds_dir: Path
) -> Future[bool] | None:
    """On a first start, with no index saved in the data folder or the prebuilt one: a child
    process that loads the knowledge base, then trains and saves its index in the data folder
    (as the engine builds it, default parameters). Pass it to `engine_builder`: a build that
    finds no saved index waits for it before training one itself. None on a restart (an index
    is saved: probably this knowledge base's) or when no process can start."""
    folder = Path(data_dir) / FOLDER
    try:
        if any(next(f.glob(f"*{SUFFIX}"), None) for f in (folder, prebuilt) if f is not None):
            return None
        child = child_process()
        job = child.submit(_load_and_train, folder, Path(intents_dir), Path(seeds_dir))
        child.shutdown(wait=False)  # the child exits once its job is done
    except Exception as error:  # the index is trained when the engine is built, as before
        logger.warning("could not start training the index ahead (%r)", error)
        return None
    return job


def _load_and_train(folder: Path, intents_dir: Path, seeds_dir: Path) -> bool:
    from bot.indexcache import train_from_files  # numpy and the index: in the child only

    return train_from_files(folder, intents_dir, seeds_dir)
