"""The command line: `python -m bot <command>`. Catches `BotError` once, returns an exit code."""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot import __version__
from bot.config import Config, default_intents_dir, default_seeds_dir
from bot.errors import BotError, KnowledgeError
from bot.logs import setup_logging
from bot.text import LANGS, Lang

if TYPE_CHECKING:  # the engine pulls in numpy: `health` runs every 30 s and needs none of it
    from bot.engine import Engine
    from bot.knowledge import Knowledge

logger = logging.getLogger(__name__)

Command = Callable[[argparse.Namespace, Config], int]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        config = _config(args)
        setup_logging(config)
        handler: Command = args.handler
        return handler(args, config)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{len(error.problems)} problem(s) found.", file=sys.stderr)
        return error.exit_code
    except BotError as error:
        print(f"Error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `python -m bot eval … | head`: the reader has gone; nothing left to say.
        sys.stderr.close()
        return 0


def _config(args: argparse.Namespace) -> Config:
    """The environment's config, with --intents/--seeds given on the command line winning."""
    config = Config.from_env()
    overrides: dict[str, Any] = {}
    if getattr(args, "intents", None):
        overrides["intents_dir"] = Path(args.intents)
    if getattr(args, "seeds", None):
        overrides["seeds_dir"] = Path(args.seeds)
    return replace(config, **overrides) if overrides else config


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot",
        description="Question-answering bot for the UN Regional SDG Centre in Almaty.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command")
    dirs = argparse.ArgumentParser(add_help=False)
    dirs.add_argument(
        "--intents",
        metavar="DIR",
        help=f"intents folder (env BOT_INTENTS_DIR; default {default_intents_dir()})",
    )
    dirs.add_argument(
        "--seeds",
        metavar="DIR",
        help=f"seeds folder (env BOT_SEEDS_DIR; default {default_seeds_dir()})",
    )

    ask = commands.add_parser(
        "ask", parents=[dirs], help="answer one question, or one per stdin line"
    )
    ask.add_argument(
        "question", nargs="*", help="the question (omit to read one per line from stdin)"
    )
    ask.add_argument("--json", action="store_true", help="print one JSON object per question")
    ask.add_argument("--lang", choices=LANGS, help="reply in this language")
    ask.set_defaults(handler=ask_command)

    chat = commands.add_parser(
        "chat", parents=[dirs], help="chat in the terminal, no Telegram needed"
    )
    chat.add_argument("--lang", choices=LANGS, help="reply in this language")
    chat.set_defaults(handler=chat_command)

    check = commands.add_parser("check", parents=[dirs], help="validate intents/ and seeds/")
    check.set_defaults(handler=check_command)

    index = commands.add_parser(
        "index", parents=[dirs], help="build the matching index ahead (the image does)"
    )
    index.add_argument(
        "--into",
        metavar="DIR",
        help="folder to save it in (default: the data folder's index/, env BOT_DATA_DIR)",
    )
    index.set_defaults(handler=index_command)

    run = commands.add_parser("run", parents=[dirs], help="run the Telegram bot (needs a token)")
    run.set_defaults(handler=run_command)

    evaluate = commands.add_parser(
        "eval", parents=[dirs], help="accuracy on a labelled question set"
    )
    evaluate.add_argument("file", help="labelled questions (YAML), e.g. tests/data/heldout.yaml")
    evaluate.set_defaults(handler=_lazy("bot.evaluation", "eval_command"))

    coverage = commands.add_parser(
        "coverage", parents=[dirs], help="which seed sentences the intents quote"
    )
    coverage.set_defaults(handler=_lazy("bot.evaluation", "coverage_command"))

    report = commands.add_parser("report", parents=[dirs], help="usage statistics and suggestions")
    report.add_argument("--since", default="7d", help="period: 7d, 24h, 30d, all (default 7d)")
    report.add_argument("--format", choices=("text", "csv", "json"), default="text")
    report.set_defaults(handler=_lazy("bot.reports", "report_command"))

    health = commands.add_parser("health", help="exit 0 only while the running bot works")
    health.add_argument("--max-age", type=float, default=60.0, help="heartbeat age limit, seconds")
    health.set_defaults(handler=_lazy("bot.health", "health_command"))
    return parser


def _lazy(module: str, name: str) -> Command:
    """A command whose module is imported only when it runs (`ask` need not import Telegram)."""

    def command(args: argparse.Namespace, config: Config) -> int:
        handler: Command = getattr(importlib.import_module(module), name)
        return handler(args, config)

    return command


def run_command(args: argparse.Namespace, config: Config) -> int:
    """`run`: the engine is loaded (on a first start, its index trained in a child process, on
    the other core) while Telegram's libraries import, which alone take ~0.5 s."""
    from concurrent.futures import ThreadPoolExecutor

    from bot.ahead import train_ahead

    config.require_token()  # fail before loading anything, with the `python -m bot chat` hint
    dirs = (config.data_dir, config.prebuilt_index_dir)
    ahead = train_ahead(*dirs, config.intents_dir, config.seeds_dir)  # a first start's child
    from bot.indexcache import engine_builder

    knowledge = load_knowledge(config)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load") as pool:
        engine = pool.submit(engine_builder(*dirs, ahead=ahead), knowledge)
        from bot.app import run_command as run_bot

        return run_bot(args, config, engine.result)


def load_engine(config: Config, knowledge: Knowledge | None = None) -> Engine:
    """The engine the bot would run, its index loaded from the data folder (or the prebuilt
    one) when saved there: a second `ask` or `chat` starts in under a second instead of
    training again, and an edit to the intents trains (and saves) once."""
    from bot.indexcache import engine_builder

    build = engine_builder(config.data_dir, config.prebuilt_index_dir)
    return build(knowledge or load_knowledge(config))


def load_knowledge(config: Config) -> Knowledge:
    from bot.knowledge import load

    return load(config.intents_dir, config.seeds_dir)


# --- ask, chat, check ----------------------------------------------------------------------------


def ask_command(args: argparse.Namespace, config: Config) -> int:
    engine = load_engine(config)
    forced: Lang | None = args.lang
    if args.question:
        _answer(engine, " ".join(args.question), forced, args.json, sys.stdout)
        return 0
    for line in sys.stdin:
        if line.strip():
            _answer(engine, line.strip(), forced, args.json, sys.stdout)
            if not args.json:
                print()
    return 0


def _answer(engine: Engine, text: str, forced: Lang | None, as_json: bool, out: TextIO) -> None:
    from bot.engine import Question
    from bot.render import to_json, to_text

    reply = engine.ask(Question(text, forced_lang=forced))
    if as_json:
        out.write(json.dumps(to_json(reply, engine.knowledge), ensure_ascii=False) + "\n")
    else:
        out.write(to_text(reply, engine.knowledge) + "\n")
    out.flush()


def chat_command(args: argparse.Namespace, config: Config) -> int:
    from bot.engine import Question
    from bot.render import to_text

    engine = load_engine(config)
    interactive = sys.stdin.isatty()
    if interactive:
        print(engine.knowledge.message("welcome", "en"))
        print("(Type a question in English, Russian or Kazakh; an empty line or Ctrl-D ends.)\n")
    forced: Lang | None = args.lang
    while True:
        try:
            line = input("you> " if interactive else "")
        except EOFError:
            break
        if not line.strip():
            if interactive:
                break
            continue
        reply = engine.ask(Question(line, forced_lang=forced))
        print(("bot> " if interactive else "") + to_text(reply, engine.knowledge) + "\n")
        sys.stdout.flush()
    return 0


def index_command(args: argparse.Namespace, config: Config) -> int:
    """Build (or find already built) the index of the knowledge base and save it, so the bot
    started with `BOT_PREBUILT_INDEX_DIR` (or this data folder) loads it instead of training."""
    import time

    from bot.engine import Engine
    from bot.indexcache import FOLDER, IndexCache

    knowledge = load_knowledge(config)
    folder = Path(args.into) if args.into else config.data_dir / FOLDER
    cache = IndexCache(folder)
    started = time.perf_counter()
    engine = Engine(knowledge, build=cache.build)
    saved = sorted(folder.glob("*.pickle"))
    if not saved:
        raise BotError(f"the index could not be saved in {folder} (see the warning above)")
    # Saved private to its writer (the data folder's rule); a prebuilt index is built by root
    # in the image and read by the unprivileged bot user.
    saved[0].chmod(0o644)
    print(
        f"Index of {len(engine.index)} example questions ready in {saved[0]} "
        f"({time.perf_counter() - started:.1f} s)."
    )
    return 0


def check_command(args: argparse.Namespace, config: Config) -> int:
    knowledge = load_knowledge(config)
    print(knowledge.summary())
    return 0
