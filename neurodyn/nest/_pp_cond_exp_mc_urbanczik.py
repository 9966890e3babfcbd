"""NEST's ``pp_cond_exp_mc_urbanczik``: the two-compartment point-process neuron of
Urbanczik & Senn (2014), a soma that fires at random with a rate set by its potential
and a dendrite that drives it (and, for plasticity, predicts its rate)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..devices._sampling import random_uniform
from ..neurons._base import initial_value, refractory_steps
from ._base import NESTNeuron

#: NEST's control for this model: ``gsl_odeiv_control_y_new(1e-3, 0)``.
_CONTROL = dict(eps_abs=1e-3, eps_rel=0.0, a_y=1.0, a_dydt=0.0)
#: The compartments, as NEST names their parameter dictionaries.
COMPARTMENTS = ("soma", "dendritic")
#: Each compartment's parameters: unit, sign rule and defaults (soma, dendritic). The
#: model's parameter ``<name>_<compartment>`` holds each (``g_L_soma``).
COMPARTMENT_PARAMETERS = {
    "g_L": (u.nS, None, (30.0, 30.0)),
    "C_m": (u.pF, "positive", (300.0, 300.0)),
    "E_ex": (u.mV, None, (0.0, 0.0)),
    "E_in": (u.mV, None, (-75.0, 0.0)),
    "E_L": (u.mV, None, (-70.0, -70.0)),
    "tau_syn_ex": (u.ms, "positive", (3.0, 3.0)),
    "tau_syn_in": (u.ms, "positive", (3.0, 3.0)),
    "I_e": (u.pA, None, (0.0, 0.0)),
}


class pp_cond_exp_mc_urbanczik(NESTNeuron):  # noqa: N801 (NEST's model name)
    r"""Two-compartment point-process neuron with conductance-based somatic and
    current-based dendritic synapses (NEST ``pp_cond_exp_mc_urbanczik``; Urbanczik &
    Senn 2014).

    .. math::

       C_{m,s} \frac{dV_s}{dt} = -g_{L,s}(V_s - E_{L,s}) - g_{ex}(V_s - E_{ex,s})
       - g_{in}(V_s - E_{in,s}) + g_{sp}(V_p - V_s) + I_{e,s} + I_{stim},

       C_{m,p} \frac{dV_p}{dt} = -g_{L,p}(V_p - E_{L,p}) + I_{ex,p} + I_{in,p}
       + g_{ps}(V_s - V_p),

       \frac{dg_{ex,in}}{dt} = -\frac{g_{ex,in}}{\tau_{syn,ex,in,s}}, \qquad
       \frac{dI_{ex,in,p}}{dt} = -\frac{I_{ex,in,p}}{\tau_{syn,ex,in,p}},

       \phi(V_s) = \frac{\phi_{max}}{1 + k\, e^{\beta (\theta - V_s)}}

    The soma (``s``) fires at the rate :math:`\phi(V_s)`; it is not reset. Each step of
    length :math:`h`, in NEST's order: (1) RKF45 integrates the six variables over the
    step (absolute tolerance 1e-3; per-neuron persistent step size) with the current
    buffered in the previous step; (2) the arriving spikes are added: weights (nS) on
    ``soma_exc`` to :math:`g_{ex}`, on ``soma_inh`` to :math:`g_{in}`, weights (pA) on
    ``dendritic_exc`` to :math:`I_{ex,p}` and *subtracted* on ``dendritic_inh`` from
    :math:`I_{in,p}` (NEST's weights are positive, the receptor gives the sign);
    (3) outside its dead time a neuron spikes with probability
    :math:`1 - e^{-\phi h}` if ``t_ref > 0``, else it sends a Poisson number of spikes of
    mean :math:`\phi h` as one spike of that multiplicity (``spike`` holds the count);
    a spike starts the dead time of ``t_ref``; (4) the current is buffered.

    ======================  ==================  =========================================
    parameter               default (s, p)      meaning
    ======================  ==================  =========================================
    ``t_ref``               3 ms                dead time (``>= 0``; 0: Poisson spikes)
    ``phi_max``             0.15 /ms            largest rate :math:`\phi_{max}`
    ``rate_slope``          0.5                 :math:`k` (``>= 0``)
    ``beta``                1/3 /mV             :math:`\beta`
    ``theta``               -55 mV              :math:`\theta`
    ``g_sp``                600 nS              dendrite-to-soma coupling
    ``g_ps``                0 nS                soma-to-dendrite coupling
    ``g_L_<c>``             30, 30 nS           leak conductance
    ``C_m_<c>``             300, 300 pF         capacitance (``> 0``)
    ``E_ex_<c>``            0, 0 mV             excitatory reversal potential (soma)
    ``E_in_<c>``            -75, 0 mV           inhibitory reversal potential (soma)
    ``E_L_<c>``             -70, -70 mV         leak reversal potential
    ``tau_syn_ex_<c>``      3, 3 ms             excitatory synaptic time constant
    ``tau_syn_in_<c>``      3, 3 ms             inhibitory synaptic time constant
    ``I_e_<c>``             0, 0 pA             constant current (soma)
    ``V_initializer``       ``E_L`` of each     initial potentials
    ======================  ==================  =========================================

    ``<c>`` is ``soma`` or ``dendritic``. The constructor takes them as NEST's status
    does: dicts ``soma`` and ``dendritic`` with the keys ``g_L``, ``C_m``, ``E_ex``,
    ``E_in``, ``E_L``, ``tau_syn_ex``, ``tau_syn_in``, ``I_e`` (quantities); afterwards
    they are the parameters ``g_L_soma``, ``C_m_dendritic``, ... As in NEST, the
    dendrite's ``E_ex``, ``E_in`` and ``I_e`` (and a current into its receptor
    ``dendritic_curr``) do not enter the dynamics; ``I_e`` (of the base class) stays 0.
    ``V_initializer``: one initializer for both compartments, or a dict by compartment.

    Receptors (NEST's numbers): spikes on ``soma_exc`` 1, ``soma_inh`` 2,
    ``dendritic_exc`` 3, ``dendritic_inh`` 4 (weights in nS on the soma, pA on the
    dendrite; unlabelled spikes are refused, as NEST refuses receptor 0); currents
    (``update``'s ``x`` and current inputs) reach the soma (``soma_curr`` 5).

    States: ``V`` (soma), ``g_ex``, ``g_in``, ``V_p``,
    ``I_ex_p``, ``I_in_p``, ``I_stim``, ``refractory_step_count``, ``integration_step``,
    ``integration_status``, ``last_spike_time``, ``spike``. Recordables ``V_m.s``,
    ``g_ex.s``, ``g_in.s``, ``V_m.p``, ``I_ex.p``, ``I_in.p``. NEST's Urbanczik
    archive (the dendritic prediction kept for ``urbanczik_synapse``) is not kept.

    The uniform numbers come from neurodyn's default random stream (one key per step).

    References: Urbanczik R, Senn W (2014), Learning by the dendritic prediction of
    somatic spiking, Neuron 81:521; NEST ``pp_cond_exp_mc_urbanczik``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.random.seed(0)
    >>> n = nd.nest.pp_cond_exp_mc_urbanczik(20, soma={"I_e": 9000.0 * u.pA})
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 100.0 * u.ms, monitors={"spike": n.spike})
    >>> round(float(n.record("V_m.s")[0].to_decimal(u.mV)), 2)  # -70 mV + 9 nA / 630 nS
    -55.71
    >>> 5 < float(out["spike"].sum()) / 20 < 10  # about 70 Hz (92 Hz less the dead time)
    True
    """

    WEIGHT_UNIT = u.nS
    RECEPTOR_TYPES = {"soma_exc": 1, "soma_inh": 2, "dendritic_exc": 3, "dendritic_inh": 4}
    RECORDABLES = ("V_m.s", "g_ex.s", "g_in.s", "V_m.p", "I_ex.p", "I_in.p")
    #: each recordable's state
    _STATES = {"V_m.s": "V", "g_ex.s": "g_ex", "g_in.s": "g_in", "V_m.p": "V_p",
               "I_ex.p": "I_ex_p", "I_in.p": "I_in_p"}  # fmt: skip

    t_ref = Param(u.ms, nonnegative=True)
    phi_max = Param(u.ms**-1, nonnegative=True)
    rate_slope = Param(u.UNITLESS, nonnegative=True)
    beta = Param(u.mV**-1)
    theta = Param(u.mV)
    g_sp = Param(u.nS)
    g_ps = Param(u.nS)
    I_e = Param(u.pA, bounds=(0.0, 0.0))  # each compartment has its own I_e_<c>

    def __init__(
        self,
        in_size: Any,
        t_ref: Any = 3.0 * u.ms,
        phi_max: Any = 0.15 / u.ms,
        rate_slope: Any = 0.5,
        beta: Any = 1.0 / 3.0 / u.mV,
        theta: Any = -55.0 * u.mV,
        g_sp: Any = 600.0 * u.nS,
        g_ps: Any = 0.0 * u.nS,
        soma: dict | None = None,
        dendritic: dict | None = None,
        V_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(in_size, 0.0 * u.pA, name=name)
        params = dict(t_ref=t_ref, phi_max=phi_max, rate_slope=rate_slope, beta=beta,
                      theta=theta, g_sp=g_sp, g_ps=g_ps)  # fmt: skip
        given = {"soma": soma, "dendritic": dendritic}
        for index, compartment in enumerate(COMPARTMENTS):
            values = dict(given[compartment] or {})
            unknown = sorted(set(values) - set(COMPARTMENT_PARAMETERS))
            if unknown:
                raise ParameterError(
                    f"{compartment} has no parameter {unknown[0]!r}; its parameters are "
                    f"{sorted(COMPARTMENT_PARAMETERS)}"
                )
            for key, (unit, _, defaults) in COMPARTMENT_PARAMETERS.items():
                params[f"{key}_{compartment}"] = values.get(key, defaults[index] * unit)
        self.set(**params)
        self.V_initializer = V_initializer

    def compartment(self, key: str, compartment: str) -> Any:
        """The parameter ``key`` (``"g_L"``, ...) of ``compartment``."""
        return getattr(self, f"{key}_{compartment}")

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        for state, compartment in (("V", "soma"), ("V_p", "dendritic")):
            init = self.V_initializer
            if isinstance(init, dict):
                init = init.get(compartment)
            init = self.compartment("E_L", compartment) if init is None else init
            V = initial_value("V_initializer", init, u.mV, self.varshape, batch_size)
            setattr(self, state, HiddenState(V, name=state))
        zeros = jnp.zeros_like(self.V.value.mantissa)
        for state, unit in (("g_ex", u.nS), ("g_in", u.nS), ("I_ex_p", u.pA), ("I_in_p", u.pA)):
            setattr(self, state, HiddenState(u.with_unit(zeros, unit), name=state))
        self.init_adaptive_step(self.V.value.shape)

    def _recordable(self, name: str) -> Any:
        return getattr(self, self._STATES[name]).value

    def rate(self, V: Any) -> Any:
        r""":math:`\phi(V)`, the soma's rate (1/ms) at the potential ``V``."""
        exponent = u.to_float(self.beta * (self.theta - V), u.UNITLESS)
        return self.phi_max / (1.0 + self.rate_slope * jnp.exp(exponent))

    def derivatives(self, y: dict, t: Any, I_stim: Any) -> dict:
        """The vector field, NEST's ``pp_cond_exp_mc_urbanczik_dynamics`` (its order)."""
        s = lambda key: self.compartment(key, "soma")  # noqa: E731
        p = lambda key: self.compartment(key, "dendritic")  # noqa: E731
        V, V_p = y["V"], y["V_p"]
        I_L = s("g_L") * (V - s("E_L"))
        I_syn_ex = y["g_ex"] * (V - s("E_ex"))
        I_syn_in = y["g_in"] * (V - s("E_in"))
        I_conn_p_s = self.g_sp * (V_p - V)
        I_conn_s_p = self.g_ps * (V - V_p)
        dV_p = -p("g_L") * (V_p - p("E_L")) + y["I_ex_p"] + y["I_in_p"] + I_conn_s_p
        dV = -I_L - I_syn_ex - I_syn_in + I_conn_p_s + I_stim + s("I_e")
        return {
            "V": dV / s("C_m"),
            "g_ex": -y["g_ex"] / s("tau_syn_ex"),
            "g_in": -y["g_in"] / s("tau_syn_in"),
            "V_p": dV_p / p("C_m"),
            "I_ex_p": -y["I_ex_p"] / p("tau_syn_ex"),
            "I_in_p": -y["I_in_p"] / p("tau_syn_in"),
        }

    def _weight(self, receptor: str, unit: u.Unit) -> Any:
        """This step's summed spike weight on ``receptor`` (in ``unit``, as given)."""
        if None in self.delta_input_labels():
            raise ParameterError(
                f"{self.name}: unlabelled spike input; pp_cond_exp_mc_urbanczik takes spikes "
                f"on receptors {sorted(self.RECEPTOR_TYPES)} only (NEST's receptor_type "
                "1..4), label each input with one"
            )
        weight = self.spike_inputs(receptor)
        if not u.is_quantity(weight):
            return weight * unit
        if not u.same_dimension(weight, unit):
            raise ParameterError(
                f"{self.name}: spikes on {receptor} take weights in {unit}, "
                f"got {u.describe(weight)}"
            )
        return weight

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        weights = {
            "g_ex": self._weight("soma_exc", u.nS),
            "g_in": self._weight("soma_inh", u.nS),
            "I_ex_p": self._weight("dendritic_exc", u.pA),
            "I_in_p": -self._weight("dendritic_inh", u.pA),
        }  # read first: a wrong label fails before the integration is compiled
        names = ("V", "g_ex", "g_in", "V_p", "I_ex_p", "I_in_p")
        state = {name: getattr(self, name).value for name in names}
        y = self.integrate_adaptive(self.derivatives, state, self.I_stim.value, **_CONTROL).y
        for name, value in y.items():
            getattr(self, name).value = value + weights.get(name, 0.0 * u.get_unit(value))
        spike = self.draw_spikes(self.rate(self.V.value))
        self.buffer_current(x)
        return spike

    def draw_spikes(self, rate: Any) -> Any:
        """Step 3: this step's spike counts where the neuron is out of its dead time."""
        h = u.to_float(environ.get_dt(), u.ms)
        mean = u.to_float(rate, u.ms**-1) * h
        shape = jnp.shape(mean)
        key_u, key_poisson = nd_random.split(nd_random.split_key())
        n_spikes = (random_uniform(key_u, shape) <= -jnp.expm1(-mean)).astype(jnp.int32)
        dead_time = u.to_float(self.t_ref, u.ms) > 0.0
        if not np.all(dead_time):  # Poisson counts where there is no dead time
            counts = jax.random.poisson(key_poisson, jnp.where(dead_time, 0.0, mean), shape)
            n_spikes = jnp.where(dead_time, n_spikes, counts.astype(jnp.int32))
        free = (self.refractory_step_count.value == 0) & (mean > 0.0)
        spike = jnp.where(free, n_spikes, 0).astype(environ.dftype())
        return self.emit(spike, refractory_steps(self.t_ref))


for _compartment in COMPARTMENTS:
    for _key, (_unit, _rule, _) in COMPARTMENT_PARAMETERS.items():
        _param = Param(_unit, **({_rule: True} if _rule else {}))
        _param.__set_name__(pp_cond_exp_mc_urbanczik, f"{_key}_{_compartment}")
        setattr(pp_cond_exp_mc_urbanczik, f"{_key}_{_compartment}", _param)
del _compartment, _key, _unit, _rule, _param
