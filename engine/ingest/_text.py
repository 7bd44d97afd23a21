"""Split delimited text files into fields, keeping each row's line number and raw text.

Python's ``csv`` module does the splitting, so quoted fields may contain the
delimiter and line breaks. A field longer than the module's limit (128 KiB by
default) rejects its row as malformed. Each physical line is decoded on its own,
so one badly encoded line rejects one row instead of the whole file.
"""

from __future__ import annotations

import csv
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from engine.errors import IngestError
from engine.ingest._rejects import (
    EMPTY_LINE,
    INVALID_ENCODING,
    LINE,
    MALFORMED_ROW,
    RAW,
    RESERVED,
    WRONG_COLUMN_COUNT,
    RejectRows,
)

_log = logging.getLogger(__name__)

# Rows are turned into Arrow arrays in batches, so only one batch of Python strings
# is in memory at a time. Files are read in chunks of about 4 MiB.
_BATCH_ROWS = 65_536
_CHUNK_BYTES = 1 << 22


@dataclass
class TextTable:
    """A parsed text file: string columns (empty fields are null) and its rejects."""

    columns: list[str]
    rows: pa.Table
    rejects: RejectRows


class _Lines:
    """Decoded lines of a binary file for ``csv.reader``, read in chunks.

    The lines not yet claimed by a row stay in a window, so the raw text of a row
    can be recovered from ``csv.reader.line_num``. Lines that do not decode, or
    contain NUL (DuckDB strings cannot), are decoded with escapes and remembered.
    """

    def __init__(self, handle: BinaryIO, encoding: str):
        self.handle = handle
        self.encoding = encoding
        self.window: list[str] = []
        self.base = 1
        self.undecodable: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        number = 0
        while chunk := self.handle.readlines(_CHUNK_BYTES):
            texts = self._decode(chunk, number)
            if number == 0 and texts[0].startswith("\ufeff"):
                texts[0] = texts[0][1:]
            number += len(chunk)
            self.window.extend(texts)
            yield from texts

    def _decode(self, chunk: list[bytes], number: int) -> list[str]:
        if b"\x00" not in b"".join(chunk):
            try:
                return [line.decode(self.encoding) for line in chunk]
            except UnicodeDecodeError:
                pass
        texts = []
        for line_number, line in enumerate(chunk, start=number + 1):
            try:
                text = line.decode(self.encoding)
            except UnicodeDecodeError:
                text = line.decode(self.encoding, "backslashreplace")
                self.undecodable.add(line_number)
            if "\x00" in text:
                text = text.replace("\x00", "\\x00")
                self.undecodable.add(line_number)
            texts.append(text)
        return texts

    def take(self, first: int, last: int) -> tuple[str, bool]:
        """Return the raw text of lines ``first..last`` and whether one did not decode.

        Lines before ``first`` are dropped from the window.
        """
        start = first - self.base
        if first == last:
            raw = self.window[start]
        else:
            raw = "".join(self.window[start : last - self.base + 1])
        undecodable = bool(self.undecodable) and any(
            number in self.undecodable for number in range(first, last + 1)
        )
        if start >= _BATCH_ROWS:
            del self.window[:start]
            self.base = first
        return raw.rstrip("\r\n"), undecodable


def read_delimited(
    path: str | os.PathLike[str],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    names: list[str] | None = None,
    quoting: bool = True,
) -> TextTable:
    """Read a delimited text file into string columns.

    Parameters
    ----------
    path : str or Path
        The file.
    delimiter : str, default=","
        Field separator.
    encoding : str, default="utf-8"
        Text encoding; a line that does not decode is rejected.
    names : list of str, optional
        Column names of a file without a header. Without them the first
        non-empty line is the header.
    quoting : bool, default=True
        Whether ``"`` quotes fields as in RFC 4180. ``False`` takes quotes literally.

    Returns
    -------
    TextTable
        One string column per input column plus the line number and raw text.

    Raises
    ------
    IngestError
        When the file has no header, or the header repeats or omits a name.
    """
    start = time.perf_counter()
    source_name = os.fspath(path)
    rejects = RejectRows()
    columns = list(names) if names is not None else None
    width = len(columns) if columns is not None else -1
    batches: list[pa.Table] = []
    values: list[str] = []
    lines: list[int] = []
    raws: list[str] = []

    with open(path, "rb") as handle:
        source = _Lines(handle, encoding)
        reader = csv.reader(
            source,
            delimiter=delimiter,
            quoting=csv.QUOTE_MINIMAL if quoting else csv.QUOTE_NONE,
            # Text after a closing quote, or a quote left open at the end of the
            # file, rejects the row instead of being read into a field.
            strict=True,
        )
        # A row spans the physical lines first..reader.line_num.
        first = 1
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error:
                raw, _ = source.take(first, reader.line_num)
                rejects.add(first, MALFORMED_ROW, raw)
                first = reader.line_num + 1
                continue
            line = first
            first = reader.line_num + 1
            raw, undecodable = source.take(line, first - 1)

            if undecodable:
                rejects.add(line, INVALID_ENCODING, raw)
            elif len(fields) == width and (width > 1 or fields[0].strip()):
                values.extend(fields)
                lines.append(line)
                raws.append(raw)
                if len(lines) == _BATCH_ROWS:
                    batches.append(_to_arrow(columns, values, lines, raws))
                    values, lines, raws = [], [], []
            elif not fields or (len(fields) == 1 and not fields[0].strip()):
                rejects.add(line, EMPTY_LINE, raw)
            elif columns is None:
                columns = check_header(fields, source_name)
                width = len(columns)
            else:
                rejects.add(line, WRONG_COLUMN_COUNT, raw)

    if columns is None:
        raise IngestError(
            f"missing header: {source_name} has no line naming the columns "
            "(add a header line such as user_id,item_id,timestamp)"
        )
    batches.append(_to_arrow(columns, values, lines, raws))
    table = pa.concat_tables(batches)
    _log.info(
        "read %d rows and rejected %d lines of %s in %.2fs",
        table.num_rows,
        len(rejects),
        source_name,
        time.perf_counter() - start,
    )
    return TextTable(columns=columns, rows=table, rejects=rejects)


def check_header(fields: list[str], source_name: str) -> list[str]:
    """Return the stripped column names; raise if one is empty, reserved or repeated."""
    columns = [name.strip() for name in fields]
    seen: dict[str, str] = {}
    for position, name in enumerate(columns, start=1):
        if not name:
            raise IngestError(
                f"missing column name: column {position} of {source_name} has no name "
                "in the header (name every column)"
            )
        check_column_name(name, source_name)
        # DuckDB compares identifiers case-insensitively.
        if name.lower() in seen:
            raise IngestError(
                f"duplicate column: {name} in {source_name} "
                f"(it repeats {seen[name.lower()]}; rename one of them)"
            )
        seen[name.lower()] = name
    return columns


def check_column_name(name: str, source_name: str) -> None:
    """Raise when an input column uses a name the ingest keeps for itself."""
    if name in RESERVED:
        raise IngestError(
            f"invalid column name: {name} in {source_name} is reserved for ingest "
            "(rename the column)"
        )


def _to_arrow(
    columns: list[str], values: list[str], lines: list[int], raws: list[str]
) -> pa.Table:
    """Turn a batch of fields, row after row, into string columns (empty is null)."""
    arrays = {}
    width = len(columns)
    for position, name in enumerate(columns):
        array = pa.array(values[position::width], pa.string())
        arrays[name] = pc.if_else(pc.equal(array, ""), None, array)
    arrays[LINE] = pa.array(lines, pa.int64())
    arrays[RAW] = pa.array(raws, pa.string())
    return pa.table(arrays)
