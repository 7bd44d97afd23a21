"""Tell whether prompt input ends a SQL statement, without parsing the SQL.

The prompt reads a line at a time and runs its buffer once the buffer ends with a
``;`` that is outside every string literal, quoted identifier and comment. The
scanner follows DuckDB's lexical rules: ``'...'`` and ``"..."`` with doubled quotes
as escapes, ``E'...'`` with backslash escapes, ``$tag$...$tag$`` dollar quotes,
``--`` line comments and nestable ``/* */`` block comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DOLLAR_TAG = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


@dataclass(frozen=True)
class ScanResult:
    """Lexical state at the end of a piece of SQL text, as :func:`scan` returns it."""

    #: Whether the text ends inside a literal, a quoted identifier or a block comment.
    open_token: bool
    #: The last character outside literals and comments that is not whitespace.
    last_code_char: str | None

    @property
    def complete(self) -> bool:
        """Whether the text ends with a statement terminator, so it can run."""
        return not self.open_token and self.last_code_char == ";"

    @property
    def empty(self) -> bool:
        """Whether the text contains no SQL, only whitespace and comments."""
        return not self.open_token and self.last_code_char is None


def scan(text: str) -> ScanResult:
    """Scan ``text`` for literals and comments and return where it ends."""
    position = 0
    last_code_char = None
    length = len(text)
    while position < length:
        char = text[position]
        if char in "'\"":
            escapes = char == "'" and _is_escape_prefix(text, position)
            position = _skip_quoted(text, position, char, escapes)
            last_code_char = char
        elif char == "$" and (tag := _DOLLAR_TAG.match(text, position)):
            closing = text.find(tag.group(0), tag.end())
            position = length + 1 if closing < 0 else closing + len(tag.group(0))
            last_code_char = "$"
        elif text.startswith("--", position):
            newline = text.find("\n", position)
            position = length if newline < 0 else newline + 1
        elif text.startswith("/*", position):
            position = _skip_block_comment(text, position)
        else:
            if not char.isspace():
                last_code_char = char
            position += 1
    return ScanResult(open_token=position > length, last_code_char=last_code_char)


def _is_escape_prefix(text: str, quote: int) -> bool:
    """Tell whether the quote at ``quote`` opens an ``E'...'`` escape string."""
    if quote == 0 or text[quote - 1] not in "eE":
        return False
    return quote == 1 or not (text[quote - 2].isalnum() or text[quote - 2] == "_")


def _skip_quoted(text: str, start: int, quote: str, escapes: bool) -> int:
    """Return the index after the closing quote, or ``len(text) + 1`` when none."""
    position = start + 1
    while position < len(text):
        char = text[position]
        if escapes and char == "\\":
            position += 2
        elif char == quote:
            # A doubled quote is an escaped quote, not the end.
            if text.startswith(quote, position + 1):
                position += 2
            else:
                return position + 1
        else:
            position += 1
    return len(text) + 1


def _skip_block_comment(text: str, start: int) -> int:
    """Return the index after a nestable block comment, or ``len(text) + 1``."""
    depth = 0
    position = start
    while position < len(text):
        if text.startswith("/*", position):
            depth += 1
            position += 2
        elif text.startswith("*/", position):
            depth -= 1
            position += 2
            if depth == 0:
                return position
        else:
            position += 1
    return len(text) + 1
