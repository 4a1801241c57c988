"""Reading admin-edited YAML with a line for every value, and problems in the admin's words.

PyYAML's composer keeps positions and duplicate keys that its plain loader drops, so files are
composed into nodes and walked here. Each accessor returns a plain value or None, recording a
`Problem` instead of raising, so one run reports every mistake at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process

from bot.errors import Problem

_STR_TAG = "tag:yaml.org,2002:str"
#: libyaml's parser is about ten times faster and keeps the same marks; pure Python otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_SCALAR_KINDS = {
    "tag:yaml.org,2002:bool": "a yes/no value",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "an empty value",
    "tag:yaml.org,2002:timestamp": "a date",
}


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' when a close choice exists, else ''."""
    # Plain edit-distance ratio: WRatio's partial matching offers 'ok' for 'people-tokayev'.
    best = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=70)
    return f" (did you mean '{best[0]}'?)" if best else ""


def _hint(error: yaml.MarkedYAMLError) -> str:
    """PyYAML's wording for the most common admin slip: an unquoted '?' or ':' in a [list]."""
    problem = str(error.problem or "")
    if "got '?'" in problem or "got ':'" in problem:
        return " (put text with '?' or ': ' in quotes, or write the list as '- item' lines)"
    return ""


def line_of(node: yaml.Node) -> int:
    return node.start_mark.line + 1


@dataclass(slots=True)
class Reader:
    """Collects problems for one file while its nodes are turned into values."""

    file: str
    problems: list[Problem] = field(default_factory=list)

    def report(self, node_or_line: yaml.Node | int, message: str) -> None:
        line = node_or_line if isinstance(node_or_line, int) else line_of(node_or_line)
        self.problems.append(Problem(self.file, line, message))

    def compose(self, path: Path) -> yaml.Node | None:
        """The file's root node, or None after reporting why it cannot be read."""
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            self.report(1, "the file is not UTF-8 text; save it as UTF-8")
            return None
        except OSError as error:
            self.report(1, f"cannot read the file: {error.strerror}")
            return None
        try:
            root = yaml.compose(text, Loader=_LOADER)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            line = mark.line + 1 if mark else 1
            self.report(line, f"YAML syntax: {error.problem or error.context}{_hint(error)}")
            return None
        except yaml.YAMLError as error:
            self.report(1, f"YAML syntax: {error}")
            return None
        if root is None:
            self.report(1, "the file is empty")
        return root

    def mapping(
        self, node: yaml.Node, what: str, allowed: Iterable[str] | None = None
    ) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
        """Key → (key node, value node); reports duplicate keys and keys outside `allowed`."""
        if not isinstance(node, yaml.MappingNode):
            self.report(node, f"{what} should be a mapping of 'key: value' lines")
            return None
        allowed_keys = list(allowed) if allowed is not None else None
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in result:
                self.report(key_node, f"key '{key}' appears twice in {what}")
                continue
            if allowed_keys is not None and key not in allowed_keys:
                hint = did_you_mean(key, allowed_keys)
                self.report(key_node, f"unknown key '{key}' in {what}{hint}")
                continue
            result[key] = (key_node, value_node)
        return result

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node] | None:
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        self.report(node, f"{what} should be a list ('- item' lines)")
        return None

    def text(self, node: yaml.Node, what: str) -> str | None:
        """A non-empty string; YAML 1.1 traps (yes/no, numbers, dates) get a quoting hint."""
        if not isinstance(node, yaml.ScalarNode):
            self.report(node, f"{what} should be text, not a list or mapping")
            return None
        if node.tag != _STR_TAG:
            kind = _SCALAR_KINDS.get(node.tag, "a non-text value")
            if node.tag == "tag:yaml.org,2002:null":
                self.report(node, f"{what} is empty")
            else:
                self.report(
                    node, f'{what} should be text, got {kind}; put it in quotes: "{node.value}"'
                )
            return None
        value = str(node.value).strip()
        if not value:
            self.report(node, f"{what} is empty")
            return None
        return value

    def texts(self, node: yaml.Node, what: str) -> Iterator[tuple[yaml.Node, str]]:
        """Each non-empty string of a list, with its node."""
        items = self.sequence(node, what)
        if items is not None and not items:
            self.report(node, f"{what} is an empty list")
        for item in items or ():
            value = self.text(item, f"an item of {what}")
            if value is not None:
                yield item, value

    def version(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], root: yaml.Node) -> None:
        if "version" not in fields:
            self.report(root, "missing 'version: 1' at the top of the file")
            return
        node = fields["version"][1]
        if not (isinstance(node, yaml.ScalarNode) and node.value == "1"):
            self.report(node, f"unsupported version '{node.value}'; this bot reads version: 1")
