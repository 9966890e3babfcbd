"""What spiking neuron models share: spike output, reset mode, refractoriness."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Dynamics
from ..core._state import HiddenState, ShortTermState
from ..init import initialize
from ..integrators import integrate
from ..surrogate import ReluGrad, Surrogate


class Neuron(Dynamics):
    """Base class of spiking neuron populations.

    **Arguments:**

    - ``in_size``: population shape.
    - ``spk_fun``: surrogate spike function (default :class:`~neurodyn.surrogate.ReluGrad`).
    - ``spk_reset``: ``'hard'`` (set to ``V_reset``; no gradient through the reset)
      or ``'soft'`` (subtract ``V_th - V_reset``; gradient flows).
    - ``name``: an optional label.

    State: ``spike`` (:class:`ShortTermState`), the spikes of the last step.
    """

    def __init__(
        self,
        in_size: Any,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(in_size, name=name)
        if spk_reset not in ("hard", "soft"):
            raise ParameterError(f"spk_reset must be 'hard' or 'soft', got {spk_reset!r}")
        self.spk_fun = spk_fun if spk_fun is not None else ReluGrad()
        self.spk_reset = spk_reset

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        self.spike = ShortTermState(jnp.zeros(shape, environ.dftype()), name="spike")

    def init_hidden(self, batch_size: int | None, **units: u.Unit) -> None:
        """Create each hidden state ``name=unit`` (e.g. ``V=u.mV``) from the neuron's
        initializer ``{name}_initializer``, checked to have the dimension of ``unit``."""
        for name, unit in units.items():
            key = f"{name}_initializer"
            value = initial_value(key, getattr(self, key), unit, self.varshape, batch_size)
            setattr(self, name, HiddenState(value, name=name))

    #: The name of the state :meth:`get_spike` reads by default (the membrane potential).
    VOLTAGE = "V"

    def get_spike(self, V: Any = None) -> Any:
        """The surrogate spike output ``spk_fun(spike_argument(V))`` at the membrane
        potential ``V`` (default: the current one); 1 where ``V`` is at or past the
        threshold, and differentiable through ``spk_fun``'s surrogate gradient.

        ``V`` may have any shape that broadcasts against the parameters. The spikes a
        step emitted are what the step returned (also kept in the state ``spike``);
        after a reset, ``get_spike()`` of the reset potential is 0.
        """
        if not isinstance(self, Neuron):
            raise ParameterError(
                "get_spike is a method of a neuron population and needs the population: "
                "call net.get_spike() or net.get_spike(V) on the model you built, not on its "
                f"class; the spikes of a step are what the step returns (spike = net(...)); "
                f"got {type(self).__name__} in place of the population"
            )
        V = getattr(self, self.VOLTAGE).value if V is None else V
        return self.spk_fun(self.spike_argument(V))

    def spike_argument(self, V: Any) -> Any:
        """The argument of ``spk_fun`` at ``V`` (a plain number; ``>= 0`` is a spike).

        Integrate-and-fire models scale the distance to the threshold by the reset
        depth, ``(V - V_th) / (V_th - V_reset)``; models without a reset override this.
        """
        if not {"V_th", "V_reset"} <= set(type(self).declared_params()):
            raise NotImplementedError(f"{type(self).__name__}.spike_argument is not defined")
        return u.magnitude((V - self.V_th) / (self.V_th - self.V_reset))


#: The time grid refractory periods are rounded to: 1 µs (NEST's default tic).
TICS_PER_MS = 1000.0


def refractory_steps(tau_ref: Any) -> Any:
    """``tau_ref`` in whole time steps (int32), counted as NEST counts them
    (``Time(Time::ms(t)).get_steps()``): rounded to the nearest microsecond, then *up*
    to whole steps, so any positive ``tau_ref`` lasts at least one step."""
    tics = jnp.floor(u.to_float(tau_ref, u.ms) * TICS_PER_MS + 0.5)
    tics_per_step = round(float(u.to_float(environ.get_dt(), u.ms)) * TICS_PER_MS)
    return ((tics + (tics_per_step - 1)) // tics_per_step).astype(jnp.int32)


def hard_or_soft_reset(V: Any, spike: Any, V_th: Any, V_reset: Any, mode: str) -> Any:
    """``V`` after the reset of neurons that spiked (``spike`` in {0, 1})."""
    if mode == "hard":
        return V - (V - V_reset) * jax.lax.stop_gradient(spike)
    return V - (V_th - V_reset) * spike


def refractory_counter(V: Any) -> ShortTermState:
    """The state ``refractory``: steps left in the refractory period (0: free), one per
    entry of ``V``."""
    return ShortTermState(jnp.zeros(jnp.shape(u.magnitude(V)), jnp.int32), name="refractory")


def next_refractory(refractory: Any, spike: Any, tau_ref: Any) -> Any:
    """The refractory counters after a step: restarted where ``spike``, else counted down."""
    return jnp.where(spike > 0, refractory_steps(tau_ref), jnp.maximum(refractory - 1, 0))


def check_current(owner: str, x: Any) -> None:
    """Raise :class:`ParameterError` unless the input ``x`` of ``owner`` is a current."""
    if not (u.has_unit(x) and u.same_dimension(x, u.pA)):
        raise ParameterError(
            f"{owner}: input x must be a current (e.g. 1.0 * u.nA), got {u.describe(x)}"
        )


def initial_value(
    name: str, initializer: Any, unit: u.Unit, shape: tuple[int, ...], batch_size: int | None
) -> Any:
    """The initial value of a state from ``initializer`` (named ``name`` in errors),
    checked to have the dimension of ``unit``."""
    value = initialize(initializer, shape, batch_size)
    if unit.is_unitless:
        if u.has_unit(value):
            raise ParameterError(f"{name} must give dimensionless values, got {u.describe(value)}")
        return value
    if not (u.has_unit(value) and u.same_dimension(value, unit)):
        what = u.dimension_name(unit)
        what = f"quantity in units of {unit}" if what.startswith("dimension") else what
        raise ParameterError(f"{name} must give a {what}, got {u.describe(value)}")
    return value


def step_with_recovery(
    neuron: Neuron,
    x: Any,
    recovery: Any,
    dV: Any,
    d_recovery: Any,
    V_reset: Any,
    jump: Any,
) -> Any:
    """One step of an integrate-and-fire neuron with recovery variables (AdExIF's ``w``,
    Izhikevich's ``u``, CobaLIF's conductances), in the order the models document:
    integrate ``(V, r)`` with ``dV(V, r, I, t)`` (held at 0 while refractory, ``V`` cut
    at ``V_th``) and ``d_recovery(V, r, I)`` (``I`` the input current), add delta
    inputs, detect spikes, cut ``V`` to ``V_th``, reset to ``V_reset``, add ``jump`` to
    ``r`` where a spike occurred, count refractoriness.

    ``recovery`` is the recovery variable's state, or a tuple of states (then ``r``,
    ``d_recovery``'s result and ``jump`` are tuples alike); returns the spikes."""
    check_current(neuron.name, x)
    refractory = neuron.refractory.value
    free = refractory == 0

    def vector_field(y: tuple[Any, Any], t: Any) -> tuple[Any, Any]:
        V, r = y
        V = u.math.minimum(V, neuron.V_th)
        I = neuron.sum_current_inputs(x, V)
        dV_dt = dV(V, r, I, t)
        return u.math.where(free, dV_dt, u.math.zeros_like(dV_dt)), d_recovery(V, r, I)

    several = isinstance(recovery, tuple)
    V, r = integrate(
        vector_field,
        (neuron.V.value, tuple(s.value for s in recovery) if several else recovery.value),
        environ.get("t"),
        environ.get_dt(),
        method=neuron.method,
    )
    V = u.math.where(free, neuron.sum_delta_inputs(V), V)
    spike = neuron.spk_fun(u.magnitude((V - neuron.V_th) / (neuron.V_th - V_reset))) * free
    V = u.math.minimum(V, neuron.V_th)
    neuron.V.value = hard_or_soft_reset(V, spike, neuron.V_th, V_reset, neuron.spk_reset)
    states, values, jumps = (recovery, r, jump) if several else ([recovery], [r], [jump])
    for state, value, step in zip(states, values, jumps, strict=True):
        state.value = value + step * spike
    neuron.refractory.value = next_refractory(refractory, spike, neuron.tau_ref)
    neuron.spike.value = spike
    return spike
