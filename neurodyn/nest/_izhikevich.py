"""NEST's Izhikevich neuron, with NEST's own fixed-step (Euler-type) update."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import initial_value
from ..surrogate import Surrogate
from ._base import NESTNeuron

#: Coefficients of Izhikevich's quadratic ``0.04 V^2 + 5 V + 140`` (V in mV, per ms).
_QUADRATIC = (0.04, 5.0, 140.0)


class izhikevich(NESTNeuron):  # noqa: N801 (NEST's model name)
    r"""Izhikevich's simple spiking neuron, updated as NEST's ``izhikevich`` does.

    .. math::

       \frac{dV}{dt} = 0.04\, V^2 + 5\, V + 140 - U + I_e + I_{stim},
       \qquad \frac{dU}{dt} = a\,(b\, V - U)

    with ``V`` in mV and ``t`` in ms; ``U`` (NEST's ``U_m``) is in mV/ms. As in NEST the
    currents enter ``dV/dt`` with unit resistance: 1 pA adds 1 mV/ms (i.e. ``I / 1 pF``).
    If ``V >= V_th`` at the end of a step the neuron spikes, ``V`` is set to ``c`` and
    ``d`` is added to ``U``. There is no refractory period. An arriving spike of weight
    ``w`` (mV) makes ``V`` jump by ``w``.

    NEST does not integrate the equations with an ODE solver; each step of length ``h``
    (ms) is, with ``consistent_integration=True`` (NEST's default), forward Euler with
    the spike jumps ``J``:

    .. math::

       V \leftarrow V + h\,(0.04 V^2 + 5 V + 140 - U + I_{stim} + I_e) + J,
       \qquad U \leftarrow U + h\, a\, (b V_{old} - U)

    and with ``consistent_integration=False`` the scheme of Izhikevich's published code
    (two half steps of ``V``, then ``U`` from the new ``V``; here ``J`` acts as a current
    during the step, so a weight ``w`` moves ``V`` by about ``w h``):

    .. math::

       V \leftarrow V + \tfrac{h}{2}(0.04 V^2 + 5 V + 140 - U + I_{stim} + I_e + J)
       \quad (\text{twice}),
       \qquad U \leftarrow U + h\, a\, (b V_{new} - U)

    Each step, in order: (1) update ``V`` and ``U`` as above with the current buffered in
    the previous step, ``I_e`` and this step's spike jumps; (2) bound ``V`` below by
    ``V_min``; (3) spike where ``V >= V_th``: ``V = c``, ``U += d``; (4) buffer this
    step's stimulation current.

    ==========================  ==============  ==========================================
    parameter                   default         meaning
    ==========================  ==============  ==========================================
    ``a``                       0.02 / ms       time scale of the recovery variable
    ``b``                       0.2 / ms        sensitivity of ``U`` to ``V``
    ``c``                       -65 mV          reset value of ``V`` after a spike
    ``d``                       8 mV/ms         jump of ``U`` after a spike
    ``I_e``                     0 pA            constant input current (1 pA = 1 mV/ms)
    ``V_th``                    30 mV           spike threshold (cut-off)
    ``V_min``                   -inf mV         lower bound of ``V`` (NEST: ``-DBL_MAX``)
    ``consistent_integration``  ``True``        forward Euler (``True``) or the published
                                                scheme (``False``)
    ``V_initializer``           -65 mV          initial ``V`` (NEST's ``V_m``)
    ``U_initializer``           -13 mV/ms       initial ``U`` (NEST's ``U_m = 0.2 * -65``,
                                                whatever ``b``)
    ==========================  ==============  ==========================================

    Like NEST, no rule constrains ``a, b, c, d, V_th, V_min`` (e.g. ``c >= V_th`` makes
    the neuron fire every step); only their units are checked, and
    ``consistent_integration`` must be a ``bool``. NEST suggests ``dt = 1 ms`` with the
    published scheme, as in the paper. The surrogate gradient sees
    ``(V - V_th) / (V_th - c)`` (the scale is 1 mV where ``c >= V_th``).

    States: ``V``, ``U``, ``I_stim``, ``refractory_step_count`` (always 0),
    ``last_spike_time``, ``spike``. Recordables: ``V_m`` (mV), ``U_m`` (mV/ms).
    Delta inputs: weights in mV, unlabelled (any sign).

    References: E. M. Izhikevich (2003), Simple model of spiking neurons, *IEEE Trans.
    Neural Netw.* 14:1569-1572; R. Pauli, P. Weidel, S. Kunkel & A. Morrison (2018),
    Reproducing polychronization: a guide to maximizing the reproducibility of spiking
    network models, *Front. Neuroinform.* 12:46; NEST ``izhikevich``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.izhikevich(1, I_e=10. * u.pA)
    >>> _ = nd.init_all_states(n)
    >>> result = nd.run(n, 100. * u.ms, monitors={"spike": n.spike})
    >>> int(result["spike"].sum())
    3
    """

    WEIGHT_UNIT = u.mV

    RECORDABLES = ("V_m", "U_m")

    a = Param(u.ms**-1)
    b = Param(u.ms**-1)
    c = Param(u.mV)
    d = Param(u.mV / u.ms)
    V_th = Param(u.mV)
    V_min = Param(u.mV, allow_inf=True)

    def __init__(
        self,
        in_size: Any,
        a: Any = 0.02 / u.ms,
        b: Any = 0.2 / u.ms,
        c: Any = -65.0 * u.mV,
        d: Any = 8.0 * u.mV / u.ms,
        I_e: Any = 0.0 * u.pA,
        V_th: Any = 30.0 * u.mV,
        V_min: Any = -jnp.inf * u.mV,
        consistent_integration: bool = True,
        V_initializer: Any = -65.0 * u.mV,
        U_initializer: Any = -13.0 * u.mV / u.ms,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(in_size, I_e, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.a = a
        self.b = b
        self.c = c
        self.d = d
        self.V_th = V_th
        self.V_min = V_min
        if not isinstance(consistent_integration, (bool, jnp.bool_)):
            raise ParameterError(
                f"consistent_integration must be a bool, got {consistent_integration!r}"
            )
        self.consistent_integration = bool(consistent_integration)
        self.V_initializer = V_initializer
        self.U_initializer = U_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        U = initial_value(
            "U_initializer", self.U_initializer, u.mV / u.ms, self.varshape, batch_size
        )
        self.V = HiddenState(V, name="V")
        self.U = HiddenState(u.math.broadcast_to(U, V.shape), name="U")

    def _recordable(self, name: str) -> Any:
        return {"V_m": self.V, "U_m": self.U}[name].value

    def drift(self, V: Any, U: Any, I_stim: Any, I_e: Any) -> Any:
        """``dV/dt`` in mV/ms, on magnitudes: ``V`` in mV, ``U`` in mV/ms, currents in pA
        (summed in NEST's order)."""
        k2, k1, k0 = _QUADRATIC
        return k2 * V * V + k1 * V + k0 - U + I_stim + I_e

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h = u.to_float(environ.get_dt(), u.ms)
        V, U = u.to_float(self.V.value, u.mV), u.to_float(self.U.value, u.mV / u.ms)
        I_stim, I_e = u.to_float(self.I_stim.value, u.pA), u.to_float(self.I_e, u.pA)
        jumps = self.spike_inputs()
        jumps = u.to_float(jumps, u.mV) if u.is_quantity(jumps) else jumps
        a, b = u.to_float(self.a, u.ms**-1), u.to_float(self.b, u.ms**-1)
        # (1) NEST's update, products and sums in NEST's order (in float64 only XLA's
        # fused multiply-adds remain: ~1e-12 mV from NEST)
        if self.consistent_integration:
            V_new = V + (h * self.drift(V, U, I_stim, I_e) + jumps)
            U_new = U + h * a * (b * V - U)
        else:
            V_new = V + h * 0.5 * (self.drift(V, U, I_stim, I_e) + jumps)
            V_new = V_new + h * 0.5 * (self.drift(V_new, U, I_stim, I_e) + jumps)
            U_new = U + h * a * (b * V_new - U)
        # (2) the lower bound
        V_new = jnp.maximum(V_new, u.to_float(self.V_min, u.mV))
        # (3) threshold, reset and the jump of U
        spike, V_new, U_new = self._threshold(V_new, U_new)
        self.V.value = u.with_unit(V_new, u.mV)
        self.U.value = u.with_unit(U_new, u.mV / u.ms)
        self.emit(spike, jnp.int32(0))
        # (4) the current for the next step
        self.buffer_current(x)
        return spike

    def spike_argument(self, V: Any) -> Any:
        """``(V - V_th) / (V_th - c)`` (mV; the scale is 1 mV where ``c >= V_th``)."""
        V_th, c = u.to_float(self.V_th, u.mV), u.to_float(self.c, u.mV)
        return (u.to_float(V, u.mV) - V_th) / jnp.where(V_th > c, V_th - c, 1.0)

    def _threshold(self, V: Any, U: Any) -> tuple[Any, Any, Any]:
        """Spikes where ``V >= V_th`` (mV magnitudes); ``V = c``, ``U += d`` there."""
        V_th, c = u.to_float(self.V_th, u.mV), u.to_float(self.c, u.mV)
        spike = self.get_spike(u.with_unit(V, u.mV))
        if self.spk_reset == "hard":
            V = jnp.where(jax.lax.stop_gradient(spike) > 0, c, V)
        else:
            V = V - (V_th - c) * spike
        U = U + u.to_float(self.d, u.mV / u.ms) * spike
        return spike, V, U
