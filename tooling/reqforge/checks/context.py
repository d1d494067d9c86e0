"""What the per-file checks need from the configuration, built once per process."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reqforge.checks.wording import DEFAULT_WORDS, WordMatcher, build_matcher
from reqforge.config import Config
from reqforge.fields import KeyPath, Spec, field_schema, required_fields


@dataclass(frozen=True, slots=True)
class Issue:
    """A finding before it is located: code, key path, message; `on_value` points the caret
    at the value rather than the key; `needle` narrows the column to a word in that line."""

    code: str
    path: KeyPath
    message: str
    on_value: bool = False
    needle: str | None = None


@dataclass(frozen=True)
class CheckContext:
    config: Config
    schema: Spec
    required: tuple[str, ...]
    id_pattern: str
    id_regex: re.Pattern[str]
    words: WordMatcher
    customer_keys: frozenset[str] | None


def build_context(config: Config, customer_keys: frozenset[str] | None) -> CheckContext:
    """Compile everything the per-file checks share (schema, patterns, word lists)."""
    # [lint.words] replaces the lists it names and keeps the others; [lint.custom] adds
    # categories of the project's own (RF401)
    words = {**DEFAULT_WORDS, **(config.lint.words or {}), **config.lint.custom}
    if config.lint.extra_words:
        words["vague"] = (*words.get("vague", ()), *config.lint.extra_words)
    return CheckContext(
        config=config,
        schema=field_schema(config),
        required=required_fields(config),
        id_pattern=config.id_pattern,
        id_regex=re.compile(config.id_pattern),
        words=build_matcher(words),
        customer_keys=customer_keys,
    )
