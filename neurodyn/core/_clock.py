"""The one owner of simulation time: a model's step counter.

A :class:`Clock` counts the steps a model has been simulated; the time is
``t = step * dt``. :func:`neurodyn.run` and :func:`neurodyn.for_loop` (given the
model) read it, set ``t`` and ``i`` for every step, and advance it, so a second
run continues where the first stopped: T then T is the same simulation as 2T.
Starting over is explicit: :func:`~neurodyn.reset_all_states` (or ``run(...,
reset=True)``) sets the clock back to 0 with every other state.

The clock remembers ``dt`` and the precision in force when it was created (with
the model's states); running after either changed is refused, since the states
and time already simulated belong to the old settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax.numpy as jnp

from .. import units as u
from . import environ
from ._errors import ParameterError
from ._module import Module
from ._state import ShortTermState

__all__ = ["Clock", "clock_of", "tick"]


class Clock(Module):
    """A step counter with the settings it counts in.

    State: ``step`` (int32), the number of steps simulated so far.
    ``dt`` and ``precision`` are the settings at creation.
    """

    def __init__(self, name: str | None = "clock"):
        super().__init__(name)

    def init_state(self, batch_size: int | None = None) -> None:
        self.step = ShortTermState(jnp.zeros((), jnp.int32), name="step")
        self.dt = environ.get_dt()
        self.precision = environ.get_precision()

    @property
    def t(self) -> Any:
        """The current time, ``step * dt``."""
        return self.step.value * self.dt

    def check_settings(self, owner: str) -> None:
        """Refuse to go on if ``dt`` or the precision changed since the clock started."""
        dt_now, precision_now = environ.get_dt(), environ.get_precision()
        hint = (
            f"call nd.init_all_states({owner}) or nd.reset_all_states({owner}) to start "
            f"over with the new setting, or set it back"
        )
        if float(u.to_float(dt_now, u.ms)) != float(u.to_float(self.dt, u.ms)):
            raise ParameterError(
                f"dt changed from {u.describe(self.dt)} to {u.describe(dt_now)} since "
                f"{owner}'s states were created; {hint}"
            )
        if precision_now != self.precision:
            raise ParameterError(
                f"precision changed from {self.precision} to {precision_now} bits since "
                f"{owner}'s states were created (they are float{self.precision}); {hint}"
            )


def clock_of(model: Module) -> Clock:
    """The clock of ``model`` (attribute ``clock``), created at step 0 if it has none."""
    clock = model.__dict__.get("clock")
    if not isinstance(clock, Clock):
        clock = Clock()
        clock.init_state()
        model.clock = clock
    return clock


def tick(clock: Clock, fn: Callable[..., Any], *args: Any) -> Any:
    """Run ``fn(*args)`` as the clock's current step (``t`` and ``i`` set), then advance."""
    i = clock.step.value
    with environ.context(i=i, t=i * clock.dt):
        out = fn(*args)
    clock.step.value = i + 1
    return out
