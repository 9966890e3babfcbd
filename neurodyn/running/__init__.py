"""Running simulations: the runner and its monitors."""

from ._monitors import Monitor
from ._runner import RunResult, run

__all__ = ["Monitor", "RunResult", "run"]
