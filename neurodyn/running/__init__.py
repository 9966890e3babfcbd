"""Running simulations: the runner, its monitors, and checkpoints."""

from ._checkpoint import load_checkpoint, save_checkpoint
from ._monitors import Monitor
from ._runner import RunResult, run

__all__ = ["Monitor", "RunResult", "run", "save_checkpoint", "load_checkpoint"]
