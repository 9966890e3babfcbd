"""A tqdm progress bar fed from inside a compiled loop, once per chunk of steps."""

from __future__ import annotations

from typing import Any

import jax
from tqdm.auto import tqdm


class ProgressBar:
    """Progress reporting for :func:`neurodyn.for_loop` and :func:`neurodyn.run`.

    The loop is split into an outer loop over chunks of ``every`` steps; the bar is
    advanced by a host callback once per chunk, so the per-step cost is nil. The
    bar opens at the first callback and closes itself when the run is complete.

    **Arguments:**

    - ``every``: steps per update of the bar (default: 20 updates per run; each
      update is a host callback costing about a millisecond).
    - ``desc``: the bar's label.
    """

    def __init__(self, every: int | None = None, desc: str = "Running"):
        if every is not None and every <= 0:
            raise ValueError(f"every must be a positive number of steps, got {every}")
        self.every = every
        self.desc = desc
        self.total = 0
        self._done = 0
        self._bar: Any = None

    def chunk_size(self, n_steps: int) -> int:
        """Steps per chunk for a loop of ``n_steps``."""
        return max(1, min(n_steps, self.every or max(1, n_steps // 20)))

    def expect(self, n_steps: int) -> None:
        """Set the number of steps of the coming run (at trace time)."""
        self.total = n_steps

    def advance(self, n_steps: int) -> None:
        """Called inside the compiled loop: schedule a host update of the bar."""
        jax.debug.callback(self._advance_host, n_steps, ordered=False)

    def _advance_host(self, n_steps: Any) -> None:
        if self._bar is None:
            self._bar = tqdm(total=self.total, desc=self.desc, unit="step")
            self._done = 0
        self._bar.update(int(n_steps))
        self._done += int(n_steps)
        if self._done >= self.total:
            self._bar.close()
            self._bar = None
