"""NEST's ``iaf_cond_alpha_mc``: a soma and two dendritic compartments in a chain, each
with a leak, alpha-function conductances and its own input current; the soma fires."""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..neurons._base import check_current, initial_value, refractory_steps
from ..surrogate import Surrogate
from ._conductance import _CONTROL, _ThresholdReset

#: The compartments, in NEST's order, and the suffixes of NEST's recordables (``V_m.s``).
COMPARTMENTS = {"soma": "s", "proximal": "p", "distal": "d"}
#: NEST's parameters of each compartment: unit, sign rule and defaults (soma, proximal,
#: distal). The model's parameter ``<name>_<compartment>`` holds each (``g_L_soma``).
COMPARTMENT_PARAMETERS = {
    "g_L": (u.nS, "nonnegative", (10.0, 5.0, 10.0)),
    "C_m": (u.pF, "positive", (150.0, 75.0, 150.0)),
    "E_ex": (u.mV, None, (0.0, 0.0, 0.0)),
    "E_in": (u.mV, None, (-85.0, -85.0, -85.0)),
    "E_L": (u.mV, None, (-70.0, -70.0, -70.0)),
    "tau_syn_ex": (u.ms, "positive", (0.5, 0.5, 0.5)),
    "tau_syn_in": (u.ms, "positive", (2.0, 2.0, 2.0)),
    "I_e": (u.pA, None, (0.0, 0.0, 0.0)),
}
#: The synaptic state variables of every compartment and their units.
_SYNAPSES = {"dg_ex": u.nS / u.ms, "g_ex": u.nS, "dg_in": u.nS / u.ms, "g_in": u.nS}
#: The spike receptors' names end in these, by synapse kind.
_RECEPTOR_SUFFIX = {"ex": "exc", "in": "inh"}


class iaf_cond_alpha_mc(_ThresholdReset):  # noqa: N801 (NEST's model name)
    r"""Three-compartment conductance-based integrate-and-fire neuron (NEST
    ``iaf_cond_alpha_mc``): a soma (``s``), a proximal (``p``) and a distal (``d``)
    dendrite in a chain, coupled by the conductances ``g_sp`` and ``g_pd``.

    For each compartment :math:`c`,

    .. math::

       C_{m,c} \frac{dV_c}{dt} = -g_{L,c} (V_c - E_{L,c}) - g_{ex,c}(V_c - E_{ex,c})
       - g_{in,c}(V_c - E_{in,c}) - I_{conn,c} + I_{e,c} + I_{stim,c},

       I_{conn,s} = g_{sp}(V_s - V_p), \quad
       I_{conn,p} = g_{sp}(V_p - V_s) + g_{pd}(V_p - V_d), \quad
       I_{conn,d} = g_{pd}(V_d - V_p),

    and each conductance is an alpha function, as in ``iaf_cond_alpha``
    (:math:`d\,dg/dt = -dg/\tau`, :math:`dg/dt = dg - g/\tau`): a spike of weight ``w``
    (nS) on a receptor adds :math:`w\, e / \tau` to its ``dg``. The soma fires where
    :math:`V_s \ge V_{th}`; it is reset to ``V_reset`` and held there for ``t_ref``,
    during which *every* compartment's potential is frozen (NEST's rule). Inside the
    vector field the soma's potential is bounded by ``V_th`` (``V_reset`` while
    refractory) in its own currents and in :math:`I_{conn,s}`; the proximal coupling
    sees the unbounded :math:`V_s`, as in NEST.

    Receptors (NEST's numbers): spikes on ``soma_exc`` 1, ``soma_inh`` 2,
    ``proximal_exc`` 3, ``proximal_inh`` 4, ``distal_exc`` 5, ``distal_inh`` 6 (the
    weight is added as given, as NEST does; unlabelled spikes are refused, as NEST
    refuses receptor 0); currents into ``soma_curr`` 7, ``proximal_curr`` 8,
    ``distal_curr`` 9 through ``update``'s ``x``: a current (into the soma) or a dict
    ``{"soma": ..., "proximal": ..., "distal": ...}``. Current inputs
    (:meth:`~neurodyn.Dynamics.add_current_input`) reach the soma.

    =======================  ==========================  ===================================
    parameter                default (s, p, d)           meaning
    =======================  ==========================  ===================================
    ``V_th``                 -55 mV                      somatic spike threshold
    ``V_reset``              -60 mV                      somatic reset (``< V_th``)
    ``t_ref``                2 ms                        refractory period (``>= 0``)
    ``g_sp``                 2.5 nS                      soma-proximal coupling
    ``g_pd``                 1 nS                        proximal-distal coupling
    ``g_L_<c>``              10, 5, 10 nS                leak conductance
    ``C_m_<c>``              150, 75, 150 pF             capacitance (``> 0``)
    ``E_ex_<c>``             0, 0, 0 mV                  excitatory reversal potential
    ``E_in_<c>``             -85, -85, -85 mV            inhibitory reversal potential
    ``E_L_<c>``              -70, -70, -70 mV            leak reversal potential
    ``tau_syn_ex_<c>``       0.5, 0.5, 0.5 ms            excitatory alpha time constant
    ``tau_syn_in_<c>``       2, 2, 2 ms                  inhibitory alpha time constant
    ``I_e_<c>``              0, 0, 0 pA                  constant current
    ``V_initializer``        ``E_L`` of each             initial potentials
    =======================  ==========================  ===================================

    ``<c>`` is ``soma``, ``proximal`` or ``distal``. The constructor takes them as NEST's
    status does: dicts ``soma``, ``proximal``, ``distal`` with the keys ``g_L``, ``C_m``,
    ``E_ex``, ``E_in``, ``E_L``, ``tau_syn_ex``, ``tau_syn_in``, ``I_e``; afterwards they
    are the parameters ``g_L_soma``, ``C_m_distal``, ... ``V_initializer``: one
    initializer for all compartments, or a dict of them by compartment. ``I_e`` (of the
    base class) stays 0: each compartment has its own.

    Each step: (1) integrate the 15 variables over ``dt`` by RKF45 (absolute tolerance
    1e-3) with the currents buffered in the previous step plus ``I_e_<c>``; (2) add the
    arriving spikes to the ``dg``; (3) clamp the refractory soma to ``V_reset`` and count
    down, or fire where :math:`V_s \ge V_{th}`, reset and start the refractory count;
    (4) buffer the currents.

    States, with the compartments (s, p, d) along the last axis: ``V``, ``dg_ex``,
    ``g_ex``, ``dg_in``, ``g_in``, ``I_stim``; and ``refractory_step_count``,
    ``integration_step``, ``integration_status``, ``last_spike_time``, ``spike``.
    Recordables: ``V_m.s``, ``g_ex.s``, ``g_in.s`` (and ``.p``, ``.d``),
    ``t_ref_remaining``.

    References: Meffin, Burkitt & Grayden (2004), J. Comput. Neurosci. 16:159;
    Bernander, Douglas, Martin & Koch (1991), PNAS 88:11569; NEST ``iaf_cond_alpha_mc``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.init_all_states(nd.nest.iaf_cond_alpha_mc(1, distal={"I_e": 200. * u.pA}))
    >>> _ = nd.run(n, 50. * u.ms)  # a current into the distal dendrite
    >>> [round(float(n.record(f"V_m.{c}")[0].to_decimal(u.mV)), 2) for c in "spd"]
    [-69.64, -67.9, -52.12]
    """

    WEIGHT_UNIT = u.nS
    RECEPTOR_TYPES = {
        "soma_exc": 1,
        "soma_inh": 2,
        "proximal_exc": 3,
        "proximal_inh": 4,
        "distal_exc": 5,
        "distal_inh": 6,
    }
    RECORDABLES = (
        *(f"{name}.{s}" for s in COMPARTMENTS.values() for name in ("V_m", "g_ex", "g_in")),
        "t_ref_remaining",
    )

    g_sp = Param(u.nS, nonnegative=True)
    g_pd = Param(u.nS, nonnegative=True)
    I_e = Param(u.pA, bounds=(0.0, 0.0))  # each compartment has its own I_e_<c>

    def __init__(
        self,
        in_size: Any,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        t_ref: Any = 2.0 * u.ms,
        g_sp: Any = 2.5 * u.nS,
        g_pd: Any = 1.0 * u.nS,
        soma: dict | None = None,
        proximal: dict | None = None,
        distal: dict | None = None,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(in_size, 0.0 * u.pA, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.V_th = V_th
        self.V_reset = V_reset
        self.t_ref = t_ref
        self.g_sp = g_sp
        self.g_pd = g_pd
        given = {"soma": soma, "proximal": proximal, "distal": distal}
        for index, compartment in enumerate(COMPARTMENTS):
            values = dict(given[compartment] or {})
            unknown = sorted(set(values) - set(COMPARTMENT_PARAMETERS))
            if unknown:
                raise ParameterError(
                    f"{compartment} has no parameter {unknown[0]!r}; its parameters are "
                    f"{sorted(COMPARTMENT_PARAMETERS)}"
                )
            self.set(**{
                f"{key}_{compartment}": values.get(key, defaults[index] * unit)
                for key, (unit, _, defaults) in COMPARTMENT_PARAMETERS.items()
            })  # fmt: skip
        self.V_initializer = V_initializer

    def compartment(self, key: str, index: int) -> Any:
        """The parameter ``key`` (``"g_L"``, ...) of compartment number ``index``."""
        return getattr(self, f"{key}_{list(COMPARTMENTS)[index]}")

    def per_compartment(self, key: str) -> Any:
        """The parameter ``key`` of every compartment, along a last axis (in NEST's unit)."""
        unit = COMPARTMENT_PARAMETERS[key][0]
        values = [u.to_float(self.compartment(key, c), unit) for c in range(3)]
        values = jnp.broadcast_arrays(*(jnp.asarray(v) for v in values))
        return u.with_unit(jnp.stack(values, axis=-1), unit)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        init = self.V_initializer
        potentials = []
        for index, compartment in enumerate(COMPARTMENTS):
            if isinstance(init, dict):
                value = init.get(compartment, self.compartment("E_L", index))
            else:
                value = self.compartment("E_L", index) if init is None else init
            V = initial_value("V_initializer", value, u.mV, self.varshape, batch_size)
            potentials.append(u.math.broadcast_to(V.in_unit(u.mV), self.I_stim.value.shape))
        self.V = HiddenState(u.math.stack(potentials, axis=-1), name="V")
        zeros = jnp.zeros(self.V.value.shape, environ.dftype())
        for name, unit in _SYNAPSES.items():
            setattr(self, name, HiddenState(u.with_unit(zeros, unit), name=name))
        self.I_stim = ShortTermState(u.with_unit(zeros, u.pA), name="I_stim")
        self.init_adaptive_step(self.I_stim.value.shape[:-1])

    def _recordable(self, name: str) -> Any:
        if name == "t_ref_remaining":
            steps = self.refractory_step_count.value
            return u.with_unit(u.to_float(environ.get_dt(), u.ms) * steps, u.ms)
        variable, suffix = name.split(".")
        state = self.V if variable == "V_m" else getattr(self, variable)
        return state.value[..., list(COMPARTMENTS.values()).index(suffix)]

    def spike_argument(self, V: Any) -> Any:
        """``(V_s - V_th) / (V_th - V_reset)`` of the soma (the last axis's first entry
        when ``V`` holds every compartment)."""
        V = V[..., 0] if jnp.ndim(u.magnitude(V)) > len(self.varshape) else V
        return super().spike_argument(V)

    def derivatives(self, y: dict, t: Any, I_stim: Any, refractory: Any) -> dict:
        """The vector field, NEST's ``iaf_cond_alpha_mc_dynamics`` (its order of terms)."""
        V_s, V_p, V_d = (y["V"][..., c] for c in range(3))
        seen = self._seen_V(V_s, refractory)
        V = (seen, V_p, V_d)
        I_conn = (
            self.g_sp * (seen - V_p),
            self.g_sp * (V_p - V_s) + self.g_pd * (V_p - V_d),
            self.g_pd * (V_d - V_p),
        )
        out = {key: [] for key in ("V", *_SYNAPSES)}
        for c in range(3):
            p = {key: self.compartment(key, c) for key in COMPARTMENT_PARAMETERS}
            I_syn_ex = y["g_ex"][..., c] * (V[c] - p["E_ex"])
            I_syn_in = y["g_in"][..., c] * (V[c] - p["E_in"])
            I_L = p["g_L"] * (V[c] - p["E_L"])
            dV = (-I_L - I_syn_ex - I_syn_in - I_conn[c] + I_stim[..., c] + p["I_e"]) / p["C_m"]
            out["V"].append(u.math.where(refractory, 0.0 * dV, dV))
            for x in ("ex", "in"):
                dg, g, tau = y[f"dg_{x}"][..., c], y[f"g_{x}"][..., c], p[f"tau_syn_{x}"]
                out[f"dg_{x}"].append(-dg / tau)
                out[f"g_{x}"].append(dg - g / tau)
        return {key: u.math.stack(values, axis=-1) for key, values in out.items()}

    def arriving_weights(self, kind: str) -> Any:
        """This step's spike weights (nS) on the ``kind`` (``"ex"``, ``"in"``) receptors of
        the compartments, along the last axis."""
        if None in self.delta_input_labels():
            raise ParameterError(
                f"{self.name}: unlabelled spike input; iaf_cond_alpha_mc takes spikes on "
                f"receptors {sorted(self.RECEPTOR_TYPES)} only (NEST's receptor_type 1..6), "
                "label each input with one"
            )
        shape = self.I_stim.value.shape[:-1]
        weights = []
        for compartment in COMPARTMENTS:
            weight = self.spike_inputs(f"{compartment}_{_RECEPTOR_SUFFIX[kind]}")
            weight = u.to_float(weight, u.nS) if u.is_quantity(weight) else weight
            weights.append(jnp.broadcast_to(jnp.asarray(weight, environ.dftype()), shape))
        return u.with_unit(jnp.stack(weights, axis=-1), u.nS)

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        currents = self.compartment_currents(x)  # checked first, buffered last
        weights = {kind: self.arriving_weights(kind) for kind in ("ex", "in")}
        refractory = self.refractory_step_count.value > 0
        state = {"V": self.V.value} | {name: getattr(self, name).value for name in _SYNAPSES}
        y = self.integrate_adaptive(
            self.derivatives, state, self.I_stim.value, refractory, **_CONTROL
        ).y
        for kind, weight in weights.items():
            jump = math.e / self.per_compartment(f"tau_syn_{kind}")
            y[f"dg_{kind}"] = y[f"dg_{kind}"] + weight * jump
        spike, V_s = self._threshold(y["V"][..., 0], refractory)
        y["V"] = u.math.concatenate([V_s[..., None], y["V"][..., 1:]], axis=-1)
        for name, value in y.items():
            getattr(self, name).value = value
        self.emit(spike, refractory_steps(self.t_ref))
        self.buffer_current(currents)
        return spike

    def compartment_currents(self, x: Any) -> dict:
        """``x`` (a current into the soma, or a dict of them by compartment) as a checked
        dict by compartment."""
        currents = dict(x) if isinstance(x, dict) else {"soma": x}
        unknown = sorted(set(currents) - set(COMPARTMENTS))
        if unknown:
            raise ParameterError(
                f"{self.name}: no compartment {unknown[0]!r}; the compartments are "
                f"{list(COMPARTMENTS)}"
            )
        for current in currents.values():
            check_current(self.name, current)
        return currents

    def buffer_current(self, x: Any) -> None:
        """Keep this step's currents (``x``: into the soma, or a dict by compartment;
        current inputs: into the soma) for the next step."""
        currents = self.compartment_currents(x)
        shape = self.I_stim.value.shape[:-1]
        columns = []
        for compartment in COMPARTMENTS:
            current = currents.get(compartment, 0.0 * u.pA)
            if compartment == "soma":
                current = self.sum_current_inputs(current, self.V.value[..., 0])
            columns.append(u.math.broadcast_to(current.in_unit(u.pA), shape))
        self.I_stim.value = u.math.stack(columns, axis=-1)


for _compartment in COMPARTMENTS:
    for _key, (_unit, _rule, _) in COMPARTMENT_PARAMETERS.items():
        _param = Param(_unit, **({_rule: True} if _rule else {}))
        _param.__set_name__(iaf_cond_alpha_mc, f"{_key}_{_compartment}")
        setattr(iaf_cond_alpha_mc, f"{_key}_{_compartment}", _param)
