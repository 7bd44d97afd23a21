"""A click progress bar that the engine's ``progress(step, total, message)`` callbacks drive."""

from __future__ import annotations

import contextlib
import logging
import sys

import click


@contextlib.contextmanager
def progress_bar(label: str, *, enabled: bool = True):
    """Yield a ``progress(step, total, message)`` callback that draws on stderr.

    Each new ``total`` (a new model or phase) starts a fresh bar labelled with
    the message's first word, so a build of several models shows one bar each.
    """
    # A bar drawn into a pipe or a log file is only noise.
    enabled = enabled and sys.stderr.isatty()
    state: dict = {"bar": None, "total": None, "label": None}

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].render_finish()
            state["bar"] = None

    def update(step: int, total: int, message: str = "") -> None:
        if not enabled:
            return
        head = message.split(" ", 1)[0] if message else label
        if state["bar"] is None or state["total"] != total or state["label"] != head:
            close()
            bar = click.progressbar(
                length=total, label=f"{label} {head}".strip(), file=sys.stderr,
                show_pos=True, item_show_func=lambda item: item,
            )
            # Set the message before the first frame, because a step of 0 draws nothing.
            bar.current_item = message
            bar.render_progress()
            state.update(bar=bar, total=total, label=head, done=0)
        bar = state["bar"]
        bar.current_item = message
        bar.update(max(0, step - state["done"]))
        state["done"] = step

    with _log_lines_above(state):
        try:
            yield update
        finally:
            close()


#: Carriage return and "erase to the end of the line" on a terminal.
_CLEAR_LINE = "\r\033[K"


@contextlib.contextmanager
def _log_lines_above(state: dict):
    """Print each log record on its own line while a bar is drawn, then redraw it.

    The bar has no newline at its end, so a record written to stderr would
    otherwise start on the bar's line. This wraps the ``emit`` of the root
    logger's handlers that write to stderr: the bar's line is erased before the
    record and drawn again after it.
    """
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stderr
    ]
    for handler in handlers:
        handler.emit = _emit_above(handler.emit, state)
    try:
        yield
    finally:
        for handler in handlers:
            # Removing the instance attribute brings back the class's emit.
            del handler.emit


def _emit_above(emit, state: dict):
    def wrapped(record: logging.LogRecord) -> None:
        bar = state["bar"]
        if bar is None:
            emit(record)
            return
        bar.file.write(_CLEAR_LINE)
        emit(record)
        click.echo("\r" + bar.format_progress_line(), file=bar.file, nl=False)
        bar.file.flush()

    return wrapped
