"""Strict YAML for the files people write: equal keys refused, errors in one line."""

from __future__ import annotations

import pytest
import yaml

from streetrelief.core.yamlfile import YAMLFileError, load_yaml


def test_reads_what_the_safe_loader_reads() -> None:
    text = "a: 1\nb: [x, {c: 2.5}]\nd: 2026-01-20\n"
    assert load_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize(
    ("text", "key", "line"),
    [
        ("seed: 1\nname: x\nseed: 2\n", "seed", 3),
        ("rules:\n  - id: a\n    priority: high\n    priority: low\n", "priority", 4),
    ],
)
def test_a_key_given_twice_names_the_key_and_line(text: str, key: str, line: int) -> None:
    with pytest.raises(YAMLFileError, match=rf"the key '{key}' is given twice \(line {line},"):
        load_yaml(text)


def test_equal_keys_in_different_mappings_are_fine() -> None:
    assert load_yaml("a: {x: 1}\nb: {x: 2}\n") == {"a": {"x": 1}, "b": {"x": 2}}


def test_broken_yaml_is_one_line_with_its_place() -> None:
    with pytest.raises(YAMLFileError) as caught:
        load_yaml("name: x\nteams: [1, 2\n")
    message = str(caught.value)
    assert "\n" not in message
    assert "(line 3, column 1)" in message


def test_unsafe_tags_are_refused() -> None:
    with pytest.raises(YAMLFileError):
        load_yaml("!!python/object/apply:os.system ['true']\n")
