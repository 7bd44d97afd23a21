"""The progress bar that the engine's progress callbacks drive on a terminal."""

import io
import sys

from cli._progress import progress_bar


class FakeTerminal(io.StringIO):
    """A text stream that reports itself as a terminal, so the bar draws."""

    def isatty(self):
        return True


def test_progress_bar_shows_latest_message(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    with progress_bar("train") as progress:
        progress(1, 3, "two_tower epoch 1/3: mean loss 7.9354")
        progress(2, 3, "two_tower epoch 2/3: mean loss 7.1722")

    last_frame = terminal.getvalue().rsplit("\r", 1)[-1]
    assert "train two_tower" in last_frame
    assert "epoch 2/3: mean loss 7.1722" in last_frame
    assert "7.9354" not in last_frame


def test_progress_bar_silent_without_terminal(monkeypatch):
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)

    with progress_bar("train") as progress:
        progress(1, 3, "two_tower epoch 1/3: mean loss 7.9354")

    assert stream.getvalue() == ""
