"""Every error this package raises on purpose, and the `Problem` a validator reports. Tree:

BotError
 ├─ ConfigError      an environment variable is missing or malformed      (exit 2)
 ├─ KnowledgeError   intents/ or seeds/ have problems; carries them all   (exit 1)
 └─ StorageError     the SQLite store cannot be used                      (logged, never fatal)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One mistake in an admin-edited file, printed as `file:line: message`."""

    file: str
    #: Line on which the problem was found (starting at 1; 0 when it concerns the whole file).
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class BotError(Exception):
    """Base class for errors the command line reports to the user and exits on."""

    exit_code: ClassVar[int] = 1


class ConfigError(BotError):
    """The environment gives a missing or malformed setting; the message names the variable."""

    exit_code: ClassVar[int] = 2


class KnowledgeError(BotError):
    """The knowledge base cannot be loaded; `problems` lists every mistake at once."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__("\n".join(map(str, self.problems)))


class StorageError(BotError):
    """The question log cannot be written or read; the bot keeps answering without it."""
