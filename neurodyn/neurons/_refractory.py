"""brainpy.state's refractory variants (``LIFRef``, ``ExpIFRef``, ...): a parent model
with its whole state held during the refractory period."""

from __future__ import annotations

import inspect
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState

#: ``last_spike_time`` of a neuron that has not spiked yet (brainpy.state's stand-in).
NEVER_SPIKED = -1e7 * u.ms


class Refractory:
    """Mixin making a refractory variant of an integrate-and-fire model: ``XRef`` is
    ``class XRef(Refractory, X)``.

    The parent counts the refractory period (``tau_ref``, rounded up to whole steps on
    NEST's 1 µs grid) and holds ``V`` where the reset left it; the variant holds
    *every* hidden state (``w``, ``u``, ``I1``, ``I2``, ``V_th``, ...) at its value after
    the reset as well, as brainpy.state's ``*Ref`` models do, and records the time of
    the last spike. Each step, in order: (1) the parent's step, (2) restore the hidden
    states of neurons that were refractory when the step began, (3) record spike times.

    Adds the parameter ``ref_var`` and the state ``last_spike_time`` (the end of the
    step of the last spike; :data:`NEVER_SPIKED` before the first). ``tau_ref``
    defaults to the class's ``default_tau_ref``.
    """

    #: ``tau_ref`` when the constructor is not given one (brainpy.state's default).
    default_tau_ref = 1.7 * u.ms

    ref_var = Param(flag=True)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give the variant its parent's signature, with its ``tau_ref`` default and
        ``ref_var`` (what ``help()`` and argument checks read)."""
        super().__init_subclass__(**kwargs)
        parent = next(k for k in cls.__mro__[cls.__mro__.index(Refractory) + 1 :]
                      if "__init__" in vars(k))  # fmt: skip
        signature = inspect.signature(parent)
        params = [
            p.replace(default=cls.default_tau_ref) if p.name == "tau_ref" else p
            for p in signature.parameters.values()
        ]
        ref_var = inspect.Parameter("ref_var", inspect.Parameter.KEYWORD_ONLY, default=False)
        cls.__signature__ = signature.replace(parameters=[*params, ref_var])

    def __init__(self, *args: Any, tau_ref: Any = None, ref_var: bool = False, **kwargs: Any):
        tau_ref = self.default_tau_ref if tau_ref is None else tau_ref
        super().__init__(*args, tau_ref=tau_ref, **kwargs)
        # brainpy.state's switch for a boolean state `refractory`: here the state
        # `refractory` (steps left in the period, > 0 while refractory) is always kept.
        self.ref_var = ref_var

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = jnp.shape(self.refractory.value)
        never = jnp.full(shape, u.to_float(NEVER_SPIKED, u.ms), environ.dftype())
        self.last_spike_time = ShortTermState(u.with_unit(never, u.ms), name="last_spike_time")

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        held = self.refractory.value > 0
        hidden = [s for s in vars(self).values() if isinstance(s, HiddenState)]
        before = [s.value for s in hidden]
        spike = super().update(x)
        for state, value in zip(hidden, before, strict=True):
            state.value = u.math.where(held, value, state.value)
        spike_time = environ.get("t") + environ.get_dt()
        self.last_spike_time.value = jax.lax.stop_gradient(
            u.math.where(spike > 0, spike_time, self.last_spike_time.value)
        )
        return spike
