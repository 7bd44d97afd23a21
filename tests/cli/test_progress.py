"""The progress bar that the engine's progress callbacks drive on a terminal."""

import io
import logging
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


def test_log_record_gets_own_line(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    handler = logging.StreamHandler(terminal)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    monkeypatch.setattr(root, "level", logging.INFO)
    try:
        with progress_bar("train") as progress:
            progress(1, 3, "two_tower epoch 1/3: mean loss 7.9354")
            logging.getLogger("engine.test").info("epoch 1 took 3.2s")
            progress(2, 3, "two_tower epoch 2/3: mean loss 7.1722")
        # Outside the bar, the handler writes as before.
        logging.getLogger("engine.test").info("done")
    finally:
        root.removeHandler(handler)

    output = terminal.getvalue()
    # The bar's line is erased before the record, so the record starts a line.
    assert "\r\033[KINFO epoch 1 took 3.2s\n" in output
    # The bar is drawn again after the record, then moves on.
    after = output.split("epoch 1 took 3.2s\n", 1)[1]
    assert after.startswith("\rtrain two_tower")
    assert "epoch 2/3" in after
    assert output.endswith("INFO done\n")
    assert "emit" not in vars(handler)


def test_first_frame_shows_message(monkeypatch):
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)

    with progress_bar("train") as progress:
        progress(0, 3, "two_tower epoch 0/3")
        first_frame = terminal.getvalue()

    assert "train two_tower" in first_frame
    assert "epoch 0/3" in first_frame
