"""A one-line progress indicator on standard error, for runs over many files on a terminal."""

from __future__ import annotations

import time
from typing import TextIO

MIN_FILES = 50  # a smaller run is over before a progress line could help
INTERVAL = 0.1  # seconds between redraws: drawing must not cost more than loading


class Progress:
    """Called by the engine with (files loaded, files to load); `clear()` removes the line before
    the report is written. Draws nothing unless `stream` is a terminal and the run is large."""

    def __init__(self, stream: TextIO, min_files: int = MIN_FILES):
        self.stream = stream
        self.enabled = stream.isatty()
        self.min_files = min_files
        self.drawn = False
        self.last = 0.0

    def __call__(self, loaded: int, total: int) -> None:
        if not self.enabled or total < self.min_files:
            return
        now = time.monotonic()
        if loaded < total and now - self.last < INTERVAL:
            return
        self.last = now
        status = f"loading {loaded}/{total} files" if loaded < total else f"loaded {total} files; checking"
        self.stream.write(f"\r\x1b[Ksslint: {status}…")
        self.stream.flush()
        self.drawn = True

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.drawn = False
