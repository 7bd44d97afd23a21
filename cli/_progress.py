"""A click progress bar that the engine's ``progress(step, total, message)`` callbacks drive."""

from __future__ import annotations

import contextlib
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
            bar.render_progress()
            state.update(bar=bar, total=total, label=head, done=0)
        bar = state["bar"]
        bar.current_item = message
        bar.update(max(0, step - state["done"]))
        state["done"] = step

    try:
        yield update
    finally:
        close()
