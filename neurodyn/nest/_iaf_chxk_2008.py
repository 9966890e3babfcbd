"""NEST's ``iaf_chxk_2008``: a conductance-based integrate-and-fire neuron without reset,
repolarised by a spike-triggered after-hyperpolarisation (AHP) conductance whose onset
is interpolated within the step (Casti et al. 2008)."""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import ShortTermState
from ..surrogate import Surrogate
from ._conductance import _CONTROL, _ConductanceMembrane

#: The recordable currents: ``(conductance, reversal potential)`` of each.
_CURRENTS = {
    "I_syn_ex": ("g_ex", "E_ex"),
    "I_syn_in": ("g_in", "E_in"),
    "I_ahp": ("g_AHP", "E_ahp"),
}


class iaf_chxk_2008(_ConductanceMembrane):  # noqa: N801 (NEST's model name)
    r"""Conductance-based integrate-and-fire neuron with a spike-triggered AHP
    conductance and no reset (NEST ``iaf_chxk_2008``), a model of an LGN relay cell.

    .. math::

       C_m \frac{dV}{dt} = -g_L (V - E_L) - g_{ex}(V - E_{ex}) - g_{in}(V - E_{in})
       - g_{ahp}(V - E_{ahp}) + I_e + I_{stim},

       \frac{d\,dg_x}{dt} = -\frac{dg_x}{\tau_x}, \qquad
       \frac{dg_x}{dt} = dg_x - \frac{g_x}{\tau_x} \qquad (x = ex, in, ahp)

    so every conductance is a sum of alpha functions. A spike of weight ``w`` (nS) adds
    :math:`|w|\, e/\tau_{syn}` to ``dg_ex`` (``w > 0``) or ``dg_in`` (``w < 0``): a
    conductance that peaks at ``|w|``. The neuron fires when ``V`` crosses ``V_th`` from
    below within a step; ``V`` is not reset and there is no refractory period. Instead
    an AHP conductance of peak ``g_ahp`` starts at the crossing, which is placed by
    linear interpolation of ``V`` over the step: it lies
    :math:`\delta = h\,(V - V_{th}) / (V - V_{prev})` before the step's end, and the AHP
    is added as it stands :math:`\delta` after its onset,

    .. math::

       dg_{ahp} \mathrel{+}= \frac{e\, g_{ahp}}{\tau_{ahp}} e^{-\delta/\tau_{ahp}},
       \qquad g_{ahp} \mathrel{+}= \delta \cdot \frac{e\, g_{ahp}}{\tau_{ahp}}
       e^{-\delta/\tau_{ahp}}.

    With ``ahp_bug`` (the original Fortran code) the new AHP replaces the old one
    instead of adding to it. :math:`\delta` is the spike's offset (``spike_offset``),
    as NEST sends it with the spike.

    ==================  ============  ==========================================
    parameter           default       meaning
    ==================  ============  ==========================================
    ``V_th``            -45 mV        spike threshold
    ``g_L``             100 nS        leak conductance
    ``C_m``             1000 pF       membrane capacitance (``> 0``)
    ``E_ex``            20 mV         excitatory reversal potential
    ``E_in``            -90 mV        inhibitory reversal potential
    ``E_L``             -60 mV        leak reversal potential
    ``tau_syn_ex``      1 ms          excitatory alpha time constant (``> 0``)
    ``tau_syn_in``      1 ms          inhibitory alpha time constant (``> 0``)
    ``I_e``             0 pA          constant input current
    ``tau_ahp``         0.5 ms        AHP alpha time constant (``> 0``)
    ``g_ahp``           443.8 nS      AHP peak conductance (``>= 0``)
    ``E_ahp``           -95 mV        AHP reversal potential
    ``ahp_bug``         False         a spike's AHP replaces the previous one
    ``V_initializer``   ``E_L``       initial membrane potential
    ==================  ============  ==========================================

    Each step: (1) integrate ``(V, dg_ex, g_ex, dg_in, g_in, dg_AHP, g_AHP)`` over ``dt``
    by RKF45 (absolute tolerance 1e-3) with the current buffered in the previous step
    plus ``I_e``; (2) fire where ``V`` went from below ``V_th`` to at least ``V_th``, and
    start the AHP there; (3) add the arriving spikes to ``dg_ex``, ``dg_in``; (4) buffer
    the stimulation current.

    States: ``V``, ``dg_ex``, ``g_ex``, ``dg_in``, ``g_in``, ``dg_AHP``, ``g_AHP`` (the AHP
    conductance, recorded as ``g_ahp``: the name of the parameter, its peak per spike),
    ``spike_offset`` (ms; 0 where the neuron did not fire), ``I_stim``,
    ``integration_step``, ``integration_status``, ``last_spike_time``, ``spike``.
    Recordables: ``V_m``, the conductances ``g_ex``, ``g_in``, ``g_ahp`` and the currents
    ``I_syn_ex``, ``I_syn_in``, ``I_ahp`` (:math:`g (V - E)`, pA). Delta inputs: weights in
    nS, labelled ``'ex'`` / ``'in'`` (magnitudes) or unlabelled (the sign picks the
    receptor, as in NEST).

    Reference: Casti, Hayot, Xiao & Kaplan (2008), A simple model of retina-LGN
    transmission, J. Comput. Neurosci. 24:235; NEST ``iaf_chxk_2008``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.init_all_states(nd.nest.iaf_chxk_2008(1, I_e=2000. * u.pA))
    >>> out = nd.run(n, 35. * u.ms, monitors={"spike": n.spike, "offset": n.spike_offset})
    >>> steps = out["spike"][:, 0].nonzero()[0]
    >>> (steps + 1).tolist()  # the steps in which it fires
    [139, 320]
    >>> [round(float(o.to_decimal(u.ms)), 3) for o in out["offset"][steps, 0]]  # ms before
    [0.037, 0.014]
    """

    RECORDABLES = ("V_m", "g_ex", "g_in", "g_ahp", "I_syn_ex", "I_syn_in", "I_ahp")
    OFF_GRID = True
    SYNAPTIC_STATES = {
        "dg_ex": u.nS / u.ms,
        "g_ex": u.nS,
        "dg_in": u.nS / u.ms,
        "g_in": u.nS,
        "dg_AHP": u.nS / u.ms,
        "g_AHP": u.nS,
    }

    tau_syn_ex = Param(u.ms, positive=True)
    tau_syn_in = Param(u.ms, positive=True)
    tau_ahp = Param(u.ms, positive=True)
    g_ahp = Param(u.nS, nonnegative=True)
    E_ahp = Param(u.mV)
    ahp_bug = Param(flag=True)

    def __init__(
        self,
        in_size: Any,
        V_th: Any = -45.0 * u.mV,
        g_L: Any = 100.0 * u.nS,
        C_m: Any = 1000.0 * u.pF,
        E_ex: Any = 20.0 * u.mV,
        E_in: Any = -90.0 * u.mV,
        E_L: Any = -60.0 * u.mV,
        tau_syn_ex: Any = 1.0 * u.ms,
        tau_syn_in: Any = 1.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        tau_ahp: Any = 0.5 * u.ms,
        g_ahp: Any = 443.8 * u.nS,
        E_ahp: Any = -95.0 * u.mV,
        ahp_bug: bool = False,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size, V_th, g_L, C_m, E_ex, E_in, E_L, I_e, V_initializer, spk_fun, "hard", name
        )
        self.tau_syn_ex = tau_syn_ex
        self.tau_syn_in = tau_syn_in
        self.tau_ahp = tau_ahp
        self.g_ahp = g_ahp
        self.E_ahp = E_ahp
        self.ahp_bug = ahp_bug

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros(self.V.value.shape, environ.dftype())
        self.spike_offset = ShortTermState(u.with_unit(zeros, u.ms), name="spike_offset")

    def _recordable(self, name: str) -> Any:
        if name == "g_ahp":  # the state (the parameter g_ahp is its peak per spike)
            return self.g_AHP.value
        if name in _CURRENTS:
            g, E = _CURRENTS[name]
            return getattr(self, g).value * (self.V.value - getattr(self, E))
        return super()._recordable(name)

    def spike_argument(self, V: Any) -> Any:
        """``V - V_th`` in mV (there is no reset to scale by)."""
        return u.to_float(V - self.V_th, u.mV)

    def derivatives(self, y: dict, t: Any, I_stim: Any) -> dict:
        """The vector field, NEST's ``iaf_chxk_2008_dynamics`` (its order of terms)."""
        V = y["V"]
        I_syn_ex = y["g_ex"] * (V - self.E_ex)
        I_syn_in = y["g_in"] * (V - self.E_in)
        I_ahp = y["g_AHP"] * (V - self.E_ahp)
        I_leak = self.g_L * (V - self.E_L)
        dV = (-I_leak - I_syn_ex - I_syn_in - I_ahp + I_stim + self.I_e) / self.C_m
        out = {"V": dV}
        for x, tau in (("ex", self.tau_syn_ex), ("in", self.tau_syn_in), ("AHP", self.tau_ahp)):
            out[f"dg_{x}"] = -y[f"dg_{x}"] / tau
            out[f"g_{x}"] = y[f"dg_{x}"] - y[f"g_{x}"] / tau
        return out

    def ahp_onset(self, V_prev: Any, V: Any, fires: Any) -> tuple[Any, Any, Any]:
        """Where the neuron fires: the time ``delta`` from the interpolated crossing of
        ``V_th`` to the step's end (ms), and the AHP's ``dg`` and ``g`` that much after
        its onset. Returns ``(delta, dg, g)`` (0 where it does not fire)."""
        h = u.to_float(environ.get_dt(), u.ms)
        V, V_prev = u.to_float(V, u.mV), u.to_float(V_prev, u.mV)
        rise = jnp.where(fires, V - V_prev, 1.0)
        delta = jnp.where(fires, h * (V - u.to_float(self.V_th, u.mV)) / rise, 0.0)
        tau = u.to_float(self.tau_ahp, u.ms)
        dg = u.to_float(self.g_ahp, u.nS) * math.e / tau * jnp.exp(-delta / tau)
        dg = jnp.where(fires, dg, 0.0)
        return delta, dg, dg * delta

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        V_prev = self.V.value
        y = self.integrate_adaptive(
            self.derivatives, self._state(), self.I_stim.value, **_CONTROL
        ).y
        spike = self.get_spike(y["V"]) * (V_prev < self.V_th)
        fires = spike > 0
        delta, dg, g = self.ahp_onset(V_prev, y["V"], fires)
        dg, g = u.with_unit(dg, u.nS / u.ms), u.with_unit(g, u.nS)
        if self.ahp_bug:  # the new AHP replaces the old one
            y["dg_AHP"] = u.math.where(fires, dg, y["dg_AHP"])
            y["g_AHP"] = u.math.where(fires, g, y["g_AHP"])
        else:
            y["dg_AHP"] = y["dg_AHP"] + dg * spike
            y["g_AHP"] = y["g_AHP"] + g * spike
        y["dg_ex"] = y["dg_ex"] + self._weight("ex", +1) * (math.e / self.tau_syn_ex)
        y["dg_in"] = y["dg_in"] + self._weight("in", -1) * (math.e / self.tau_syn_in)
        for name, value in y.items():
            getattr(self, name).value = value
        self.spike_offset.value = u.with_unit(delta, u.ms)
        self.emit(spike, 0)
        self.buffer_current(x)
        return spike
