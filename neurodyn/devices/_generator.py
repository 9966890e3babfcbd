"""The base of NEST's stimulation devices: the activity window and the network interface.

Step ``i`` is the interval ``(i h, (i + 1) h]`` (``h`` = ``dt``); inside a run
``environ.get("i")`` is its index. NEST's ``Device`` turns its three times into steps,

.. math::

   t_{min} = (\\mathrm{origin} + \\mathrm{start}) / h, \\qquad
   t_{max} = (\\mathrm{origin} + \\mathrm{stop}) / h

(``nestkernel/device.cpp``, ``Device::pre_run_hook``), and ``StimulationDevice::is_active``
(``nestkernel/stimulation_device.cpp``) lets a device emit in step ``i`` when

.. math::

   t_{min} < i + a \\le t_{max},

where the shift ``a`` is the device's :attr:`Generator.ACTIVITY_SHIFT`:

- ``a = 2`` for NEST's current generators (type ``CURRENT_GENERATOR``: ``dc``, ``ac``,
  ``step_current``, ``noise``, and also ``sinusoidal_poisson`` and ``pulsepacket``,
  which NEST declares as current generators): active steps ``t_min - 1 .. t_max - 2``.
  The current emitted in step ``i`` arrives in step ``i + d`` (``d`` the delay in
  steps) and NEST's neurons integrate the following step with it (measured in NEST
  3.10: a ``dc_generator`` with ``start = 1``, ``stop = 2`` ms and a 0.1 ms delay drives
  the steps ``(1.1, 1.2] .. (2.0, 2.1]``; ``tests/nest_reference/README.md``).
- ``a = 0`` for NEST's spike generators (``poisson``, ``inhomogeneous_poisson``,
  ``gamma_sup``): active steps ``t_min + 1 .. t_max``; a spike emitted in step ``i``
  carries the time stamp ``(i + 1) h``, so stamps fall in
  ``(origin + start + h, origin + stop + h]``.
- ``a = 1`` for ``spike_generator``, which tests each spike's stamp ``S`` (in steps)
  itself, ``t_min < S <= t_max``, and emits it in step ``S - 1``: stamps in
  ``(origin + start, origin + stop]``.

``origin``, ``start`` and ``stop`` must lie on the grid (NEST: "start must be a multiple
of the simulation resolution"; a value within half a tic, 0.5 µs, of the grid is taken
as on it), ``stop = inf`` never stops, and ``stop < start`` is refused ("stop >= start
required"; ``stop == start`` is allowed and never active).
"""

from __future__ import annotations

from typing import Any, ClassVar

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import Param
from . import _nest_time as nt

__all__ = ["Generator"]


class Generator(Module):
    """Base of NEST's stimulation devices: ``origin``, ``start``, ``stop`` and activity.

    **Arguments (keyword only):**

    ==========  =======  ===============================================================
    parameter   default  meaning
    ==========  =======  ===============================================================
    ``start``   0 ms     activation time, relative to ``origin`` (on the grid)
    ``stop``    inf ms   deactivation time, relative to ``origin`` (``>= start``)
    ``origin``  0 ms     global offset of ``start`` and ``stop`` (on the grid)
    ``name``    --       an optional label
    ==========  =======  ===============================================================

    Interface used by the network layer:

    - :attr:`kind`: ``"current"`` (:meth:`update` returns pA) or ``"spike"``
      (:meth:`update` returns spike multiplicities, counts per target, as floats);
    - :meth:`bind` ``(n_targets)``: called once per connection set before the states are
      created; devices that give each target its own realisation size their states by it;
    - :meth:`init_state` ``(batch_size=None)``;
    - :meth:`update` ``()``: called once per step, returns the output *emitted in this
      step*, shape ``(n_targets,)`` or a scalar that broadcasts to it. Connection weights
      and delays are the network's: an output emitted in step ``i`` reaches its target in
      step ``i + delay`` (NEST).
    - :attr:`has_spike_weights`: ``True`` when the device also sets per-step spike weights
      (``spike_generator`` with ``spike_weights``, see there).
    """

    #: ``"current"`` (pA) or ``"spike"`` (counts).
    kind: ClassVar[str] = "current"
    #: The ``a`` of NEST's activity test ``t_min < i + a <= t_max`` (see the module docs).
    ACTIVITY_SHIFT: ClassVar[int] = 2
    #: Whether :meth:`update` also sets per-step spike weights (``spike_weight_sums``).
    has_spike_weights: ClassVar[bool] = False

    origin = Param(u.ms, per_neuron=False)
    start = Param(u.ms, per_neuron=False)
    stop = Param(u.ms, per_neuron=False, allow_inf=True)

    def __init__(
        self,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = np.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
        **params: Any,
    ):
        super().__init__(name)
        self.n_targets = 1
        self.batch_size: int | None = None
        self.set(start=start, stop=stop, origin=origin, **params)

    # -- the network interface ------------------------------------------------------------

    def bind(self, n_targets: int) -> None:
        """Declare that the device feeds ``n_targets`` targets (before :meth:`init_state`)."""
        if isinstance(n_targets, bool) or not isinstance(n_targets, (int, np.integer)):
            raise ParameterError(
                f"{type(self).__name__}.bind: n_targets must be a whole number, got {n_targets!r}"
            )
        if n_targets < 1:
            raise ParameterError(
                f"{type(self).__name__}.bind: n_targets must be >= 1, got {n_targets}"
            )
        self.n_targets = int(n_targets)

    def init_state(self, batch_size: int | None = None) -> None:
        """Check the parameters against the current ``dt`` and remember the batch size.

        Subclasses with states create them after calling this."""
        self.batch_size = batch_size
        self.check_parameters()

    def update(self) -> Any:
        raise NotImplementedError(f"{type(self).__name__}.update is not defined")

    # -- activity ---------------------------------------------------------------------------

    def window_steps(self) -> tuple[int, int]:
        """``(t_min, t_max)``: ``origin + start`` and ``origin + stop`` in steps."""
        tps = nt.tics_per_step()
        origin, start, stop = (float(nt.ms_of(v)) for v in (self.origin, self.start, self.stop))
        t_min = (nt.tics(origin) + nt.tics(start)) // tps
        stop_tics = nt.tics(stop)
        if isinstance(stop_tics, float):
            return t_min, nt.STEP_MAX
        return t_min, (nt.tics(origin) + stop_tics) // tps

    def active_steps(self) -> tuple[int, int]:
        """The first and last step (inclusive) in which the device may emit, as int32
        values (``stop = inf``: the int32 maximum)."""
        t_min, t_max = self.window_steps()
        shift = self.ACTIVITY_SHIFT
        first = _clip(t_min - shift + 1)
        last = nt.STEP_MAX if t_max >= nt.STEP_MAX else _clip(t_max - shift)
        return first, last

    def is_active(self, step: Any) -> Any:
        """Whether the device emits in step ``step`` (NEST's ``is_active``; traceable)."""
        first, last = self.active_steps()
        step = jnp.asarray(step, jnp.int32)
        return (step >= first) & (step <= last)

    # -- helpers for subclasses -------------------------------------------------------------

    @staticmethod
    def step_index() -> Any:
        """The current step index ``i`` as an int32 array."""
        return jnp.asarray(environ.get("i"), jnp.int32)

    def target_shape(self) -> tuple[int, ...]:
        """The shape of a per-target output: ``(n_targets,)``, batched ``(batch, n_targets)``."""
        if self.batch_size is None:
            return (self.n_targets,)
        return (self.batch_size, self.n_targets)

    def shared_shape(self) -> tuple[int, ...]:
        """The shape of one realisation shared by all targets: ``()``, batched ``(batch, 1)``."""
        return () if self.batch_size is None else (self.batch_size, 1)

    def check_parameters(self) -> None:
        """NEST's ``Device`` rules: times on the grid, ``stop >= start``."""
        super().check_parameters()
        owner = type(self).__name__
        tps = nt.tics_per_step()
        for name in ("origin", "start", "stop"):
            if name not in self.__dict__:
                continue
            t = float(nt.ms_of(self.__dict__[name]))
            if not nt.on_grid(t, tps):
                raise ParameterError(
                    f"{owner}.{name} must be a multiple of the simulation resolution dt = "
                    f"{tps / nt.TICS_PER_MS:g} ms (NEST refuses off-grid device times), got "
                    f"{t:g} ms"
                )
        if "start" in self.__dict__ and "stop" in self.__dict__:
            start, stop = float(nt.ms_of(self.start)), float(nt.ms_of(self.stop))
            if stop < start:
                raise ParameterError(
                    f"{owner}.stop must be >= start (NEST: 'stop >= start required'), got "
                    f"start={start:g} ms, stop={stop:g} ms"
                )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, n_targets={self.n_targets})"


def _clip(step: int) -> int:
    return max(min(step, nt.STEP_MAX), nt.STEP_MIN)


def _or_empty(values: Any, unit: Any) -> Any:
    """``values``, or an empty list in ``unit`` for ``None`` (NEST's default ``[]``)."""
    return np.zeros(0) * unit if values is None else values
