"""Two variants of NEST's ``iaf_psc_exp``: two refractory periods, and Tsodyks' synapse
kept in the presynaptic neuron.

``iaf_psc_exp_htum`` separates an absolute refractory period (``V`` held) from a
total one (no spike). ``iaf_tum_2000`` computes, at each of its spikes, the
depressing and facilitating release ``u x`` of Tsodyks, Uziel & Markram (2000) and
sends it with the spike (NEST's spike offset): a target scales the weight of a
spike arriving on its receptor 1 by it. Both apply the exact propagators of
:mod:`neurodyn.nest._propagators` in NEST's order.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..surrogate import Surrogate
from ._iaf_psc import _ExpCurrents, _LinearMembrane, _ms, iaf_psc_exp


class iaf_psc_exp_htum(_ExpCurrents, _LinearMembrane):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with exponential PSCs and separate absolute and
    total refractory periods (NEST ``iaf_psc_exp_htum``, Hill & Tononi 2005).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + I_{ex} + I_{in} + I_e + I_{stim},
       \qquad \frac{dI_{ex,in}}{dt} = -\frac{I_{ex,in}}{\tau_{syn,ex,in}}

    After a spike ``V`` is set to ``V_reset`` and held there for ``t_ref_abs``; the
    neuron cannot fire again before ``t_ref_tot`` (``>= t_ref_abs``) has passed, while
    ``V`` integrates freely in between (and may lie above ``V_th`` when the total
    period ends). A spike of weight ``w`` (pA) adds ``w`` to ``I_ex`` (``w >= 0``) or
    ``I_in`` (``w < 0``).

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref_abs``       2 ms         absolute refractory period (``V`` held)
    ``t_ref_tot``       2 ms         total refractory period (no spike)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``tau_syn_ex``      2 ms         excitatory synaptic time constant
    ``tau_syn_in``      2 ms         inhibitory synaptic time constant
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ==================  ===========  ==========================================

    Each step: (1) ``V`` propagated exactly (held while absolutely refractory);
    (2) the currents decay and the arriving spikes are added; (3) if not totally
    refractory and ``V >= V_th``: spike, reset, both periods start; (4) the
    stimulation current is buffered. The refractory count is the total one; ``V`` is
    held while more than ``t_ref_tot - t_ref_abs`` of it is left.

    States: ``V``, ``I_syn_ex``, ``I_syn_in``, ``I_stim``, ``refractory_step_count``,
    ``last_spike_time``, ``spike``. Delta inputs: weights in pA, labelled ``'ex'`` /
    ``'in'`` (magnitudes) or unlabelled (the sign picks the receptor, as in NEST).
    The recordable ``V_m`` is ``V - E_L``, as NEST 3.10's multimeter records it for
    this model (its status ``V_m``, like the state ``V``, is absolute).

    References: Hill & Tononi (2005), J. Neurophysiol. 93:1671; Rotter & Diesmann
    (1999), Biol. Cybern. 81:381; NEST ``iaf_psc_exp_htum``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_exp_htum(1, I_e=1000. * u.pA, t_ref_tot=5. * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> spikes = nd.run(n, 30. * u.ms, monitors={"spike": n.spike})["spike"]
    >>> int(spikes.sum())  # t_ref_tot, not t_ref_abs, sets the rate
    4
    """

    threshold_waits_for_refractoriness = True

    t_ref_abs = Param(u.ms, positive=True)
    t_ref_tot = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 250.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        t_ref_abs: Any = 2.0 * u.ms,
        t_ref_tot: Any = 2.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        tau_syn_ex: Any = 2.0 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, I_e, V_initializer, spk_fun, spk_reset, name, E_L=E_L, C_m=C_m,
            tau_m=tau_m, t_ref_abs=t_ref_abs, t_ref_tot=t_ref_tot, V_th=V_th,
            V_reset=V_reset, tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in,
        )  # fmt: skip

    def check_parameters(self) -> None:
        super().check_parameters()
        if "t_ref_abs" in self.__dict__ and "t_ref_tot" in self.__dict__:
            abs_ = np.asarray(u.to_float(self.t_ref_abs, u.ms))
            tot = np.asarray(u.to_float(self.t_ref_tot, u.ms))
            if (abs_ > tot).any():
                raise ParameterError(
                    f"t_ref_abs must be <= t_ref_tot (NEST's rule), got t_ref_abs="
                    f"{u.describe(self.t_ref_abs)}, t_ref_tot={u.describe(self.t_ref_tot)}"
                )

    def refractory_periods(self) -> tuple[Any, Any]:
        return self.t_ref_abs, self.t_ref_tot

    def _recordable(self, name: str) -> Any:
        if name == "V_m":  # as NEST 3.10 records it: relative to E_L
            return self.V.value - self.E_L
        return super()._recordable(name)


class iaf_tum_2000(iaf_psc_exp):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with exponential PSCs whose own spikes carry
    Tsodyks' short-term plasticity (NEST ``iaf_tum_2000``).

    The membrane and currents are those of :class:`iaf_psc_exp`. Each neuron also keeps
    the state of the synapses it makes (Tsodyks, Uziel & Markram 2000, eqs. 3-4): the
    recovered fraction ``x``, the active fraction ``y`` (inactive ``z = 1 - x - y``) and
    the release probability ``u``,

    .. math::

       \frac{dx}{dt} = \frac{z}{\tau_{rec}}, \qquad
       \frac{dy}{dt} = -\frac{y}{\tau_{psc}}, \qquad
       \frac{du}{dt} = -\frac{u}{\tau_{fac}},

    solved exactly from one of its spikes to the next (its first spike from ``t = 0``).
    At a spike: :math:`u \leftarrow u + U(1 - u)`, then :math:`\Delta = u x`,
    :math:`x \leftarrow x - \Delta`, :math:`y \leftarrow y + \Delta`; ``tau_fac = 0``
    means no facilitation (``u`` forgets between spikes).

    The release ``\Delta`` travels with the spike (NEST's spike offset; here
    ``spike_offset`` after the step, 0 where the neuron did not fire): a spike of weight
    ``w`` (pA) on receptor ``'1'`` adds ``w \Delta`` of the *sending* neuron, so deliver
    ``weight * spike_offset`` there. Receptor 0 (unlabelled, ``'ex'``, ``'in'``) takes
    plain weights, as in :class:`iaf_psc_exp`; either way the sign picks ``I_ex``
    (``> 0``) or ``I_in``.

    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``V`` held at ``V_reset``)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``tau_syn_ex``      2 ms         excitatory synaptic time constant
    ``tau_syn_in``      2 ms         inhibitory synaptic time constant
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential
    ``U``               0.5          utilisation increment per spike, in [0, 1]
    ``tau_fac``         1000 ms      facilitation time constant (``>= 0``)
    ``tau_rec``         400 ms       recovery time constant
    ``tau_psc``         2 ms         decay of the active fraction ``y``
    ``rho``             0.01 Hz      stochastic firing intensity at threshold
    ``delta``           0 mV         width of the stochastic threshold (must be 0)
    ``x``, ``y``, ``u`` 0, 0, 0      initial synaptic state (``x + y <= 1``)
    ==================  ===========  ==========================================

    NEST fires stochastically when ``delta > 0``; only its deterministic threshold
    (``delta = 0``, the default) is implemented, and ``rho`` is then unused. NEST's
    current receptor 1 (a presynaptic current filtered into ``I_ex``) is not offered.

    States: those of :class:`iaf_psc_exp` and ``x``, ``y``, ``u``, ``spike_offset``.

    References: Tsodyks, Uziel & Markram (2000), J. Neurosci. 20:RC50; Rotter &
    Diesmann (1999), Biol. Cybern. 81:381; NEST ``iaf_tum_2000``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_tum_2000(1, I_e=1000. * u.pA, x=1.0)  # all vesicles ready
    >>> _ = nd.init_all_states(n)
    >>> released = []
    >>> for i in range(200):
    ...     with nd.environ.context(t=i * 0.1 * u.ms):
    ...         if n()[0] > 0:
    ...             released.append(round(float(n.spike_offset.value[0]), 3))
    >>> released  # x is used up faster than u grows: depression
    [0.5, 0.379, 0.122]
    """

    RECEPTOR_TYPES = {"ex": 0, "in": 0, "1": 1}
    #: Receptor 1 takes a presynaptic iaf_tum_2000's release (its spike offset).
    OFFSET_RECEPTORS = {"1": "iaf_tum_2000"}

    U = Param(u.UNITLESS, bounds=(0.0, 1.0))
    tau_fac = Param(u.ms, nonnegative=True)
    tau_rec = Param(u.ms, positive=True)
    tau_psc = Param(u.ms, positive=True)
    rho = Param(u.Hz, nonnegative=True)
    delta = Param(u.mV, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 250.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        tau_syn_ex: Any = 2.0 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        U: Any = 0.5,
        tau_fac: Any = 1000.0 * u.ms,
        tau_rec: Any = 400.0 * u.ms,
        tau_psc: Any = 2.0 * u.ms,
        rho: Any = 0.01 * u.Hz,
        delta: Any = 0.0 * u.mV,
        x: Any = 0.0,
        y: Any = 0.0,
        u: Any = 0.0,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L=E_L, C_m=C_m, tau_m=tau_m, t_ref=t_ref, V_th=V_th, V_reset=V_reset,
            tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in, I_e=I_e,
            V_initializer=V_initializer, spk_fun=spk_fun, spk_reset=spk_reset, name=name,
        )  # fmt: skip
        self.set(U=U, tau_fac=tau_fac, tau_rec=tau_rec, tau_psc=tau_psc, rho=rho, delta=delta)
        self.initial_synapse = _initial_synapse(x, y, u)

    def check_parameters(self) -> None:
        super().check_parameters()
        if "delta" in self.__dict__ and (np.asarray(u.to_float(self.delta, u.mV)) > 1e-10).any():
            raise ParameterError(
                f"delta must be 0 mV (NEST's stochastic threshold, delta > 0, is not "
                f"implemented), got {u.describe(self.delta)}"
            )

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = jnp.shape(self.V.value.mantissa)
        for key, value in self.initial_synapse.items():
            full = jnp.broadcast_to(jnp.asarray(value, environ.dftype()), shape)
            setattr(self, key, HiddenState(full, name=key))
        self.spike_offset = ShortTermState(jnp.zeros(shape, environ.dftype()), name="spike_offset")

    def spike_inputs(self, receptor: str | None = None, sign: int | None = None) -> Any:
        """As :meth:`NESTNeuron.spike_inputs`, with the (signed, already scaled) weights
        arriving on receptor ``'1'`` counted like unlabelled ones."""
        total = super().spike_inputs(receptor, sign)
        for value in self.delta_inputs("1"):
            if sign is not None:
                clip = u.math.maximum if sign > 0 else u.math.minimum
                value = clip(value, 0.0 * value)
            total = total + value
        return total

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        t_last = u.math.maximum(self.last_spike_time.value, 0.0 * u.ms)  # NEST: from t = 0
        spike = super().update(x)
        self.release(spike, _ms(self.last_spike_time.value - t_last))
        return spike

    def release(self, spike: Any, interval: Any) -> None:
        """Advance the synaptic state of the neurons that fired over ``interval`` (ms)
        since their previous spike, release ``u x`` and keep it in ``spike_offset``."""
        fires = spike > 0
        tau_fac, tau_rec, tau_psc = _ms(self.tau_fac), _ms(self.tau_rec), _ms(self.tau_psc)
        safe_fac = jnp.where(tau_fac > 0.0, tau_fac, 1.0)
        P_uu = jnp.where(tau_fac > 0.0, jnp.exp(-interval / safe_fac), 0.0)
        P_yy = jnp.exp(-interval / tau_psc)
        P_zz = jnp.expm1(-interval / tau_rec)  # e^{-t/tau_rec} - 1
        # recovery into x of what was active (y) and inactive (z = 1 - x - y) at the start
        P_xy = (P_zz * tau_rec - (P_yy - 1.0) * tau_psc) / (tau_psc - tau_rec)
        x, y, u_ = self.x.value, self.y.value, self.u.value
        z = 1.0 - x - y
        u_new = u_ * P_uu
        u_new = u_new + self.U * (1.0 - u_new)
        x_new = x + P_xy * y - P_zz * z
        released = u_new * x_new
        self.x.value = jnp.where(fires, x_new - released, x)
        self.y.value = jnp.where(fires, y * P_yy + released, y)
        self.u.value = jnp.where(fires, u_new, u_)
        self.spike_offset.value = jnp.where(fires, released, 0.0)


def _initial_synapse(x: Any, y: Any, u_: Any) -> dict:
    """The initial ``x``, ``y``, ``u`` of iaf_tum_2000, checked as NEST checks them."""
    values = {}
    for key, value in (("x", x), ("y", y), ("u", u_)):
        if u.has_unit(value) and not u.get_unit(value).is_unitless:
            raise ParameterError(f"{key} is a fraction without unit, got {u.describe(value)}")
        array = np.asarray(u.magnitude(value), float)
        if not np.isfinite(array).all():
            raise ParameterError(f"{key} must be finite, got {value!r}")
        values[key] = array
    if ((values["u"] < 0.0) | (values["u"] > 1.0)).any():
        raise ParameterError(f"u must lie in [0, 1], got {u_!r}")
    if (values["x"] + values["y"] > 1.0).any():
        raise ParameterError(f"x + y must be <= 1 (NEST's rule), got x={x!r}, y={y!r}")
    return values
