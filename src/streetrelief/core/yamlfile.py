"""YAML as people write it for streetrelief (triage policies, response playbooks, scenarios,
catalogues, tables): safe tags only, and a key given twice in one mapping is an error.

PyYAML's safe loader keeps the last of two equal keys without a word, so a policy edited in a
hurry could silently lose a rule's threshold; YAML 1.2 (§3.2.1.1) requires keys in a mapping
to be unique. Errors come as one line naming the line and column, for a CLI message or an
HTTP problem detail.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode


class YAMLFileError(yaml.YAMLError):
    """Text that is not YAML, or a mapping with a key given twice; the message is one line
    with the line and column (1-based)."""


class _UniqueKeyLoader(yaml.SafeLoader):
    """The safe loader, refusing a key given twice in one mapping."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Hashable] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, Hashable) and key in seen:
                raise ConstructorError(
                    None, None, f"the key {key!r} is given twice", key_node.start_mark
                )
            if isinstance(key, Hashable):
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str) -> Any:
    """Parse one YAML document with safe tags only.

    Raises:
        YAMLFileError: not YAML, or a key given twice in one mapping.
    """
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as exc:
        raise YAMLFileError(_one_line(exc)) from exc
    except yaml.YAMLError as exc:
        raise YAMLFileError(" ".join(str(exc).split())) from exc


def _one_line(exc: yaml.MarkedYAMLError) -> str:
    problem = ": ".join(part for part in (exc.context, exc.problem) if part) or "not YAML"
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return problem
    return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
