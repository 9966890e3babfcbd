"""NEST's ``hh_psc_alpha_clopath``: ``hh_psc_alpha`` with the voltage filters of the
Clopath plasticity rule, integrated with the membrane by the same RKF45 step."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import initial_value
from ..surrogate import Surrogate
from ._hh import hh_psc_alpha

#: The low-pass filters of ``V`` and what each filters (``u_bar_bar`` filters ``u_bar_minus``).
FILTERED = {"u_bar_plus": "V", "u_bar_minus": "V", "u_bar_bar": "u_bar_minus"}


class hh_psc_alpha_clopath(hh_psc_alpha):  # noqa: N801 (NEST's model name)
    r"""Hodgkin–Huxley neuron with alpha currents and Clopath voltage filters (NEST
    ``hh_psc_alpha_clopath``).

    The membrane, gates and alpha currents of :class:`hh_psc_alpha`, and

    .. math::

       \tau_+ \frac{d\bar u_+}{dt} = V - \bar u_+, \qquad
       \tau_- \frac{d\bar u_-}{dt} = V - \bar u_-, \qquad
       \tau_{\bar{\bar u}} \frac{d\bar{\bar u}}{dt} = \bar u_- - \bar{\bar u}

    integrated together (RKF45, absolute tolerance 1e-3, NEST's order of
    :class:`hh_psc_alpha`: integrate, add the arriving spikes, count the refractory
    period down or detect a spike at ``V >= 0 mV`` past the peak, buffer the current).
    The filters are what a Clopath synapse reads; NEST's parameters of the rule itself
    (``A_LTP``, ``A_LTD``, ``theta_plus``, ...) belong to its ``clopath_synapse``,
    which neurodyn does not have.

    ====================  ============  ==========================================
    parameter             default       meaning
    ====================  ============  ==========================================
    ``E_L``               -54.402 mV    leak reversal potential
    ``C_m``               100 pF        membrane capacitance
    ``g_Na``              12000 nS      sodium peak conductance
    ``g_K``               3600 nS       potassium peak conductance
    ``g_L``               30 nS         leak conductance
    ``E_Na``              50 mV         sodium reversal potential
    ``E_K``               -77 mV        potassium reversal potential
    ``t_ref``             2 ms          refractory period (no spike detection)
    ``tau_syn_ex``        0.2 ms        excitatory alpha-current time constant
    ``tau_syn_in``        2 ms          inhibitory alpha-current time constant
    ``I_e``               0 pA          constant input current
    ``tau_u_bar_plus``    114 ms        time constant of ``u_bar_plus``
    ``tau_u_bar_minus``   10 ms         time constant of ``u_bar_minus``
    ``tau_u_bar_bar``     500 ms        time constant of ``u_bar_bar``
    ``V_m_init``          -65 mV        initial ``V`` (NEST's default ``V_m``)
    ``Act_m_init``        ``None``      initial ``m`` in [0, 1]; ``None``: equilibrium at ``V``
    ``Inact_h_init``      ``None``      initial ``h`` in [0, 1]; ``None``: equilibrium
    ``Act_n_init``        ``None``      initial ``n`` in [0, 1]; ``None``: equilibrium
    ``u_bar_*_init``      0 mV          initial ``u_bar_plus``, ``u_bar_minus``, ``u_bar_bar``
    ====================  ============  ==========================================

    The arguments come in the order of BrainPy's ``hh_psc_alpha_clopath``. NEST's rules:
    ``C_m > 0``, ``t_ref >= 0``, time constants ``> 0``, conductances ``>= 0``.

    States: those of :class:`hh_psc_alpha` and ``u_bar_plus``, ``u_bar_minus``,
    ``u_bar_bar``. Recordables: ``V_m``, ``I_syn_ex``, ``I_syn_in``, ``Act_m``,
    ``Inact_h``, ``Act_n``, ``u_bar_plus``, ``u_bar_minus``, ``u_bar_bar``. Delta
    inputs: weights in pA, labelled ``'ex'`` / ``'in'`` or unlabelled (the sign picks).

    References: C. Clopath, L. Büsing, E. Vasilaki & W. Gerstner (2010), Nat. Neurosci.
    13:344–352; A. L. Hodgkin & A. F. Huxley (1952), J. Physiol. 117:500–544; NEST
    ``hh_psc_alpha_clopath``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.hh_psc_alpha_clopath(2, u_bar_bar_init=-70. * u.mV)
    >>> _ = nd.init_all_states(n)
    >>> n.record("u_bar_bar"), n.record("u_bar_plus")
    (Quantity([-70. -70.], "mV"), Quantity([0. 0.], "mV"))
    """

    RECORDABLES = (*hh_psc_alpha.RECORDABLES, *FILTERED)

    tau_u_bar_plus = Param(u.ms, positive=True)
    tau_u_bar_minus = Param(u.ms, positive=True)
    tau_u_bar_bar = Param(u.ms, positive=True)
    V_m_init = Param(u.mV)
    Act_m_init = Param(bounds=(0.0, 1.0), optional=True)
    Inact_h_init = Param(bounds=(0.0, 1.0), optional=True)
    Act_n_init = Param(bounds=(0.0, 1.0), optional=True)
    u_bar_plus_init = Param(u.mV)
    u_bar_minus_init = Param(u.mV)
    u_bar_bar_init = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -54.402 * u.mV,
        C_m: Any = 100.0 * u.pF,
        g_Na: Any = 12000.0 * u.nS,
        g_K: Any = 3600.0 * u.nS,
        g_L: Any = 30.0 * u.nS,
        E_Na: Any = 50.0 * u.mV,
        E_K: Any = -77.0 * u.mV,
        t_ref: Any = 2.0 * u.ms,
        tau_syn_ex: Any = 0.2 * u.ms,
        tau_syn_in: Any = 2.0 * u.ms,
        I_e: Any = 0.0 * u.pA,
        tau_u_bar_plus: Any = 114.0 * u.ms,
        tau_u_bar_minus: Any = 10.0 * u.ms,
        tau_u_bar_bar: Any = 500.0 * u.ms,
        V_m_init: Any = -65.0 * u.mV,
        Act_m_init: Any = None,
        Inact_h_init: Any = None,
        Act_n_init: Any = None,
        u_bar_plus_init: Any = 0.0 * u.mV,
        u_bar_minus_init: Any = 0.0 * u.mV,
        u_bar_bar_init: Any = 0.0 * u.mV,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(
            in_size, t_ref=t_ref, g_Na=g_Na, g_K=g_K, g_L=g_L, C_m=C_m, E_Na=E_Na, E_K=E_K,
            E_L=E_L, tau_syn_ex=tau_syn_ex, tau_syn_in=tau_syn_in, I_e=I_e, spk_fun=spk_fun,
            name=name,
        )  # fmt: skip
        self.tau_u_bar_plus = tau_u_bar_plus
        self.tau_u_bar_minus = tau_u_bar_minus
        self.tau_u_bar_bar = tau_u_bar_bar
        self.V_m_init = V_m_init
        self.Act_m_init = Act_m_init
        self.Inact_h_init = Inact_h_init
        self.Act_n_init = Act_n_init
        self.u_bar_plus_init = u_bar_plus_init
        self.u_bar_minus_init = u_bar_minus_init
        self.u_bar_bar_init = u_bar_bar_init

    def initial_values(self) -> tuple[tuple[str, Any], dict[str, tuple[str, Any]]]:
        gates = {gate: (f"{name}_init", getattr(self, f"{name}_init"))
                 for gate, name in self.GATES.items()}  # fmt: skip
        return ("V_m_init", self.V_m_init), gates

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        like = self.V.value
        for name in FILTERED:
            value = initial_value(
                f"{name}_init", getattr(self, f"{name}_init"), u.mV, self.varshape, batch_size
            )
            value = u.math.broadcast_to(value, like.shape).astype(like.mantissa.dtype)
            setattr(self, name, HiddenState(value, name=name))

    def ode_state(self) -> dict[str, Any]:
        return {**super().ode_state(), **{name: getattr(self, name).value for name in FILTERED}}

    def derivatives(self, y: dict, t: Any, I_stim: Any) -> dict:
        """The vector field, NEST's ``hh_psc_alpha_clopath_dynamics``."""
        taus = (self.tau_u_bar_plus, self.tau_u_bar_minus, self.tau_u_bar_bar)
        filters = {
            name: (-y[name] + y[source]) / tau
            for (name, source), tau in zip(FILTERED.items(), taus, strict=True)
        }
        return {**super().derivatives(y, t, I_stim), **filters}
