"""NEST's ``cm_default``: a neuron made of a tree of passive compartments with Na and K
channels and AMPA, GABA, NMDA and AMPA+NMDA receptors, integrated by NEST's implicit
tree solver (:mod:`._cm_tree`)."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import check_current
from ..surrogate import Surrogate
from ._base import NESTNeuron
from ._cm_tree import CompartmentTree

#: A compartment's parameters: NEST's unit, sign rule and default.
COMPARTMENT_PARAMETERS = {
    "C_m": (u.nF, "positive", 1.0),
    "g_C": (u.uS, "nonnegative", 0.01),
    "g_L": (u.uS, "nonnegative", 0.1),
    "e_L": (u.mV, None, -70.0),
    "v_comp": (u.mV, None, -70.0),  # NEST's initial potential (whatever e_L is)
    "gbar_Na": (u.uS, "nonnegative", 0.0),
    "e_Na": (u.mV, None, 50.0),
    "gbar_K": (u.uS, "nonnegative", 0.0),
    "e_K": (u.mV, None, -85.0),
}
#: The receptor types in the order NEST sums their currents within a compartment, with
#: their parameters (unit, sign rule, default).
RECEPTOR_PARAMETERS = {
    "AMPA": {"e_AMPA": (u.mV, None, 0.0), "tau_r_AMPA": (u.ms, "positive", 0.2),
             "tau_d_AMPA": (u.ms, "positive", 3.0)},
    "GABA": {"e_GABA": (u.mV, None, -80.0), "tau_r_GABA": (u.ms, "positive", 0.2),
             "tau_d_GABA": (u.ms, "positive", 10.0)},
    "NMDA": {"e_NMDA": (u.mV, None, 0.0), "tau_r_NMDA": (u.ms, "positive", 0.2),
             "tau_d_NMDA": (u.ms, "positive", 43.0)},
    "AMPA_NMDA": {"e_AMPA_NMDA": (u.mV, None, 0.0), "tau_r_AMPA": (u.ms, "positive", 0.2),
                  "tau_d_AMPA": (u.ms, "positive", 3.0), "tau_r_NMDA": (u.ms, "positive", 0.2),
                  "tau_d_NMDA": (u.ms, "positive", 43.0),
                  "NMDA_ratio": (u.UNITLESS, "nonnegative", 2.0)},
}  # fmt: skip
#: Each receptor type's rise-decay conductances: (NEST's recordable stem, tau suffix).
_CONDUCTANCES = {
    "AMPA": (("AMPA", "AMPA"),),
    "GABA": (("GABA", "GABA"),),
    "NMDA": (("NMDA", "NMDA"),),
    "AMPA_NMDA": (("AN_AMPA", "AMPA"), ("AN_NMDA", "NMDA")),
}
_Q10 = 1.0 / 3.21  # the gates' temperature factor


def _value(where: str, key: str, value: Any, unit: u.Unit, rule: str | None) -> np.ndarray:
    """``value`` (a quantity, or a number in NEST's ``unit``) as float64 in ``unit``."""
    if u.has_unit(value):
        if not u.same_dimension(value, 1.0 * unit):
            raise ParameterError(
                f"{where}: {key} must be in units of {unit}, got {u.describe(value)}"
            )
        value = u.to_float(value, unit)
    x = np.asarray(value, np.float64)
    if not np.all(np.isfinite(x)):
        raise ParameterError(f"{where}: {key} must be finite, got {value!r}")
    if rule == "positive" and np.any(x <= 0):
        raise ParameterError(f"{where}: {key} must be > 0 {unit}, got {value!r}")
    if rule == "nonnegative" and np.any(x < 0):
        raise ParameterError(f"{where}: {key} must be >= 0 {unit}, got {value!r}")
    return x


def _entries(where: str, given: dict, table: dict) -> dict:
    """NEST's defaults updated by ``given``, checked against ``table``."""
    unknown = sorted(set(given) - set(table))
    if unknown:
        raise ParameterError(
            f"{where} has no parameter {unknown[0]!r}; its parameters are {sorted(table)}"
        )
    return {
        key: _value(where, key, given.get(key, default), unit, rule)
        for key, (unit, rule, default) in table.items()
    }


def _rise_decay_norm(tau_r: np.ndarray, tau_d: np.ndarray) -> np.ndarray:
    """The factor that makes a rise-decay conductance peak at the spike's weight."""
    t_peak = (tau_r * tau_d) / (tau_d - tau_r) * np.log(tau_d / tau_r)
    return 1.0 / (-np.exp(-t_peak / tau_r) + np.exp(-t_peak / tau_d))


def _gate_m(v: Any) -> tuple[Any, Any]:
    """``(m_inf, tau_m)`` of the Na channel's activation."""
    x = v + 35.013
    regular = jnp.abs(x) > 1e-5
    x_safe = jnp.where(regular, x, 1.0)
    e = jnp.exp(0.111111111111111 * x_safe)
    frac = 1.0 / (e - 1.0)
    alpha = jnp.where(regular, 0.182 * x_safe * e * frac, 1.638)
    inv_sum = jnp.where(regular, 1.0 / (alpha + 0.124 * x_safe * frac), 1.0 / (1.638 + 1.116))
    return alpha * inv_sum, _Q10 * inv_sum


def _gate_h(v: Any) -> tuple[Any, Any]:
    """``(h_inf, tau_h)`` of the Na channel's inactivation."""
    x50, x75 = v + 50.013, v + 75.013
    r50, r75 = jnp.abs(x50) > 1e-5, jnp.abs(x75) > 1e-9
    x50, x75 = jnp.where(r50, x50, 1.0), jnp.where(r75, x75, 1.0)
    alpha = jnp.where(r50, 0.024 * x50 / (1.0 - jnp.exp(-0.2 * x50)), 0.12)
    beta = jnp.where(r75, -0.0091 * x75 / (1.0 - jnp.exp(0.2 * x75)), 0.0455)
    return 1.0 / (1.0 + jnp.exp((v + 65.0) / 6.2)), _Q10 / (alpha + beta)


def _gate_n(v: Any) -> tuple[Any, Any]:
    """``(n_inf, tau_n)`` of the K channel."""
    x = v - 25.0
    regular = jnp.abs(x) > 1e-5
    x_safe = jnp.where(regular, x, 1.0)
    e = jnp.exp(0.111111111111111 * x_safe)
    frac = 1.0 / (e - 1.0)
    alpha = jnp.where(regular, 0.02 * x_safe * e * frac, 0.18)
    inv_sum = jnp.where(regular, 1.0 / (alpha + 0.002 * x_safe * frac), 1.0 / (0.18 + 0.018))
    return alpha * inv_sum, _Q10 * inv_sum


def _relax(x: Any, steady: tuple[Any, Any], dt: float) -> Any:
    """A gate after one step of exponential relaxation to ``steady = (x_inf, tau)``."""
    x_inf, tau = steady
    p = jnp.exp(-dt / tau)
    return x * p + (1.0 - p) * x_inf


def _nmda_sigmoid(v: Any) -> tuple[Any, Any]:
    """The NMDA magnesium block ``s(v) = 1 / (1 + 0.3 e^{-0.1 v})`` and ``ds/dv``."""
    e = jnp.exp(-0.1 * v)
    denom = 1.0 + 0.3 * e
    return 1.0 / denom, 0.03 * e / (denom * denom)


class cm_default(NESTNeuron):  # noqa: N801 (NEST's model name)
    r"""Multi-compartment neuron with a user-defined tree (NEST ``cm_default``).

    Each compartment :math:`c` (parent :math:`p`, children :math:`k`) obeys

    .. math::

       C_c \frac{dv_c}{dt} = g_{L,c}(e_{L,c} - v_c) + g_{C,c}(v_p - v_c)
       + \sum_k g_{C,k}(v_k - v_c) + I_{Na} + I_K + \sum_r I_r + I_{inj,c},

    :math:`I_{Na} = \bar g_{Na} m^3 h (e_{Na} - v)`, :math:`I_K = \bar g_K n (e_K - v)`
    (gates relax exponentially to their steady states in each step; NEST's rate
    functions), and receptor currents :math:`g(t)(e - v)` with a rise-decay conductance
    :math:`g` (normalised to peak at the spike weight), times the magnesium block
    :math:`1/(1 + 0.3 e^{-0.1 v})` for NMDA; AMPA_NMDA is
    :math:`(g_{AMPA} + r_{NMDA}\, g_{NMDA} s(v))(e - v)`. NEST's step (each ``dt``):
    update the gates and conductances (arriving spikes added at once), linearise the
    currents at the old :math:`v`, and take one Crank-Nicolson step by Gaussian
    elimination over the tree (Hines). A spike is emitted where the root's potential
    crosses ``V_th`` upwards (no reset, no refractory period).

    Units are NEST's: potentials mV, capacitances nF, conductances (and spike weights)
    uS, currents nA, times ms. The tree is fixed at construction, given as NEST's
    status: ``compartments``, a list of ``{"parent_idx": p, "params": {...}}``
    (compartment 0 the root, ``parent_idx`` -1; indices in order of addition) and
    ``receptors``, a list of ``{"comp_idx": c, "receptor_type": "AMPA", "params": {...}}``
    (receptor indices in order of addition). Values are quantities, or numbers in
    NEST's units. All neurons share the tree; a parameter may be an array over them.

    ==============  ============  =====================================================
    parameter       default       meaning
    ==============  ============  =====================================================
    ``V_th``        -55 mV        threshold of the root compartment
    ``C_m``         1 nF          capacitance (``> 0``)
    ``g_C``         0.01 uS       coupling to the parent (the root's is unused)
    ``g_L``         0.1 uS        leak conductance
    ``e_L``         -70 mV        leak reversal potential
    ``v_comp``      -70 mV        initial potential (NEST's, whatever ``e_L``)
    ``gbar_Na``     0 uS          Na conductance (``e_Na`` 50 mV)
    ``gbar_K``      0 uS          K conductance (``e_K`` -85 mV)
    ``e_<R>``       0, -80, 0 mV  reversal of AMPA, GABA, NMDA (``e_AMPA_NMDA`` 0 mV)
    ``tau_r_<R>``   0.2 ms        rise time (``tau_r_AMPA``, ``tau_r_GABA``, ...)
    ``tau_d_<R>``   3, 10, 43 ms  decay time of AMPA, GABA, NMDA (``!= tau_r``)
    ``NMDA_ratio``  2             NMDA to AMPA ratio of AMPA_NMDA
    ==============  ============  =====================================================

    Gates start at their steady states at ``v_comp``. (NEST reads a compartment's
    ``e_K`` only when ``e_Na`` is given too; here it is always read.) Inputs: spikes on
    receptor ``"r"`` (labels ``"0"``, ``"1"``, ...; unlabelled spikes go to receptor 0,
    as NEST's default ``receptor_type`` 0; weights ``>= 0`` uS, NEST refuses negative
    ones) act in the step they arrive; ``update``'s ``x`` is a current into the root or
    a dict ``{compartment: current}`` and acts in the same step (NEST reads the current
    buffer while building the step's system); current inputs reach the root.

    States: ``V`` (mV, compartments on the last axis), ``m_Na``, ``h_Na``, ``n_K`` (by
    compartment), ``g_r``, ``g_d`` (uS, by receptor conductance), and ``spike``.
    Recordables (NEST's): ``v_comp<c>``, ``m_Na_<c>``, ``h_Na_<c>``, ``n_K_<c>``, and
    ``g_r_AMPA_<r>``, ``g_d_AMPA_<r>``, ... (``AN_AMPA``, ``AN_NMDA`` for AMPA_NMDA).

    References: Hines (1984), Int. J. Bio-Med. Comput. 15:69; NEST ``cm_default``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.cm_default(1, compartments=[
    ...     {"parent_idx": -1, "params": {"e_L": -65.0}},
    ...     {"parent_idx": 0, "params": {"g_C": 0.02}}])
    >>> _ = nd.run(nd.init_all_states(n), 10. * u.ms, lambda i, t: 2.0 * u.nA)  # into the root
    >>> [round(float(n.record(f"v_comp{c}")[0].to_decimal(u.mV)), 3) for c in (0, 1)]
    [-55.371, -68.825]
    """

    WEIGHT_UNIT = u.uS
    POSITIVE_WEIGHTS = True
    V_th = Param(u.mV)
    I_e = Param(u.pA, bounds=(0.0, 0.0))  # currents enter by compartment through x

    def __init__(
        self,
        in_size: Any,
        compartments: list[dict] | None = None,
        receptors: list[dict] | None = None,
        V_th: Any = -55.0 * u.mV,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(in_size, 0.0 * u.pA, spk_fun=spk_fun, name=name)
        self.V_th = V_th
        compartments = [{"parent_idx": -1}] if compartments is None else list(compartments)
        self.tree = CompartmentTree(
            [
                self._entry("compartments", d, "parent_idx", ("parent_idx", "params"))
                for d in compartments
            ]
        )
        self.compartment_params = tuple(
            _entries(f"compartment {c}", dict(d.get("params", {})), COMPARTMENT_PARAMETERS)
            for c, d in enumerate(compartments)
        )
        self.receptors = tuple(self._receptor(r, d) for r, d in enumerate(receptors or []))

    @staticmethod
    def _entry(where: str, entry: dict, key: str, allowed: tuple[str, ...]) -> int:
        """The index ``entry[key]`` of one of NEST's dicts, whose keys must be ``allowed``."""
        if not isinstance(entry, dict) or key not in entry or set(entry) - set(allowed):
            raise ParameterError(
                f"{where}: each entry is a dict with the keys {allowed} ({key!r} required), "
                f"got {entry!r}"
            )
        return int(entry[key])

    def _receptor(self, index: int, entry: dict) -> dict:
        """Receptor ``index`` from NEST's dict: its type, compartment and parameters."""
        comp = self._entry("receptors", entry, "comp_idx", ("comp_idx", "receptor_type", "params"))
        kind = entry.get("receptor_type")
        if kind not in RECEPTOR_PARAMETERS:
            raise ParameterError(
                f"receptor {index}: receptor_type must be one of "
                f"{list(RECEPTOR_PARAMETERS)}, got {kind!r}"
            )
        if not 0 <= comp < len(self.tree):
            raise ParameterError(
                f"receptor {index}: comp_idx {comp} is not a compartment (0..{len(self.tree) - 1})"
            )
        params = _entries(
            f"receptor {index}", dict(entry.get("params", {})), RECEPTOR_PARAMETERS[kind]
        )
        for _, suffix in _CONDUCTANCES[kind]:
            if np.any(params[f"tau_r_{suffix}"] == params[f"tau_d_{suffix}"]):
                raise ParameterError(
                    f"receptor {index}: tau_r_{suffix} must differ from tau_d_{suffix}"
                )
        return {"type": kind, "comp_idx": comp, "params": params}

    @property
    def conductances(self) -> tuple[tuple[int, str, str], ...]:
        """Every rise-decay conductance: (receptor index, NEST's stem, tau suffix)."""
        return tuple(
            (r, stem, suffix)
            for r, rec in enumerate(self.receptors)
            for stem, suffix in _CONDUCTANCES[rec["type"]]
        )

    @property
    def RECEPTOR_TYPES(self) -> dict[str, int]:  # noqa: N802 (the attribute of every model)
        """Receptors ``'0'``, ``'1'``, ... numbered in order of addition, as in NEST."""
        return {str(r): r for r in range(len(self.receptors))}

    @property
    def RECORDABLES(self) -> tuple[str, ...]:  # noqa: N802 (the attribute of every model)
        """NEST's names: per compartment, then per receptor conductance."""
        per_compartment = (
            f"{name}{c}"
            for c in range(len(self.tree))
            for name in ("v_comp", "m_Na_", "h_Na_", "n_K_")
        )
        per_receptor = (f"g_{x}_{stem}_{r}" for r, stem, _ in self.conductances for x in "rd")
        return (*per_compartment, *per_receptor)

    def _recordable(self, name: str) -> Any:
        if name.startswith("v_comp"):
            return self.V.value[..., int(name.removeprefix("v_comp"))]
        if name.startswith(("g_r_", "g_d_")):
            keys = [f"g_{name[2]}_{stem}_{r}" for r, stem, _ in self.conductances]
            return getattr(self, f"g_{name[2]}").value[..., keys.index(name)]
        gate, c = name.rsplit("_", 1)
        return getattr(self, gate).value[..., int(c)]

    def _parameter(self, key: str) -> list:
        """Compartment parameter ``key`` of each compartment (in the current precision)."""
        return [jnp.asarray(p[key], environ.dftype()) for p in self.compartment_params]

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = self.spike.value.shape
        v = [jnp.broadcast_to(x, shape) for x in self._parameter("v_comp")]
        self.V = HiddenState(u.with_unit(jnp.stack(v, axis=-1), u.mV), name="V")
        for gate, steady in (("m_Na", _gate_m), ("h_Na", _gate_h), ("n_K", _gate_n)):
            setattr(
                self, gate, HiddenState(jnp.stack([steady(x)[0] for x in v], axis=-1), name=gate)
            )
        zeros = jnp.zeros((*shape, len(self.conductances)), environ.dftype())
        self.g_r = HiddenState(u.with_unit(zeros, u.uS), name="g_r")
        self.g_d = HiddenState(u.with_unit(zeros, u.uS), name="g_d")

    def spike_argument(self, V: Any) -> Any:
        """``v_0 - V_th`` in mV (of the root, when ``V`` holds every compartment)."""
        V = V[..., 0] if jnp.ndim(u.magnitude(V)) > len(self.varshape) else V
        return u.to_float(V - self.V_th, u.mV)

    def arriving_weights(self) -> list:
        """This step's spike weight (uS) on each receptor; unlabelled spikes on receptor 0."""
        shape = self.spike.value.shape
        weights = []
        for r in range(len(self.receptors)):
            total = (
                self.spike_inputs(str(r)) if r == 0 else sum(self.delta_inputs(str(r)), 0.0 * u.uS)
            )
            total = u.to_float(total, u.uS) if u.has_unit(total) else total
            weights.append(jnp.broadcast_to(jnp.asarray(total, environ.dftype()), shape))
        return weights

    def injected(self, x: Any) -> list:
        """``x`` (a current into the root, or a dict by compartment) plus the current
        inputs (into the root), in nA, by compartment."""
        currents = dict(x) if isinstance(x, dict) else {0: x}
        unknown = sorted(set(currents) - set(range(len(self.tree))), key=str)
        if unknown:
            raise ParameterError(
                f"{self.name}: no compartment {unknown[0]!r}; they are 0..{len(self.tree) - 1}"
            )
        for current in currents.values():
            check_current(self.name, current)
        currents[0] = self.sum_current_inputs(currents.get(0, 0.0 * u.nA), self.V.value[..., 0])
        shape = self.spike.value.shape
        return [
            jnp.broadcast_to(u.to_float(currents.get(c, 0.0 * u.nA), u.nA), shape)
            for c in range(len(self.tree))
        ]

    def conductance_step(self, weights: list, dt: float) -> tuple[Any, Any]:
        """Decay every receptor conductance over ``dt`` and add the arriving spikes."""
        g_r, g_d = u.to_float(self.g_r.value, u.uS), u.to_float(self.g_d.value, u.uS)
        rise, decay = [], []
        for k, (r, _, suffix) in enumerate(self.conductances):
            p = self.receptors[r]["params"]
            tau_r, tau_d = p[f"tau_r_{suffix}"], p[f"tau_d_{suffix}"]
            s = weights[r] * jnp.asarray(_rise_decay_norm(tau_r, tau_d), environ.dftype())
            rise.append(g_r[..., k] * jnp.exp(-dt / jnp.asarray(tau_r, environ.dftype())) - s)
            decay.append(g_d[..., k] * jnp.exp(-dt / jnp.asarray(tau_d, environ.dftype())) + s)
        return rise, decay

    def receptor_terms(self, r: int, g: list, v: Any) -> tuple[Any, Any]:
        """Receptor ``r``'s current linearised at ``v`` as NEST's Crank-Nicolson rows take
        it: ``(g_val, i_val)``, half the slope conductance and ``I(v) + g_val v``."""
        rec = self.receptors[r]
        p = {k: jnp.asarray(x, environ.dftype()) for k, x in rec["params"].items()}
        kind = rec["type"]
        if kind in ("AMPA", "GABA"):
            e = p[f"e_{kind}"]
            i_tot, di_dv = g[0] * (e - v), -g[0]
        elif kind == "NMDA":
            s, ds = _nmda_sigmoid(v)
            e = p["e_NMDA"]
            i_tot, di_dv = g[0] * s * (e - v), g[0] * (ds * (e - v) - s)
        else:
            s, ds = _nmda_sigmoid(v)
            e, ratio = p["e_AMPA_NMDA"], p["NMDA_ratio"]
            i_tot = (g[0] + ratio * g[1] * s) * (e - v)
            di_dv = -g[0] + ratio * g[1] * (ds * (e - v) - s)
        g_val = -di_dv / 2.0
        return g_val, i_tot + g_val * v

    def channel_step(self, c: int, v: Any, dt: float) -> tuple[tuple, Any, Any]:
        """Compartment ``c``'s gates after the step from ``v`` (NEST updates them only where
        ``gbar > 1e-9``) and its Na and K currents linearised at ``v``: ``((m, h, n),
        g_val, i_val)``."""
        p = {k: jnp.asarray(x, environ.dftype()) for k, x in self.compartment_params[c].items()}
        m, h, n = (getattr(self, gate).value[..., c] for gate in ("m_Na", "h_Na", "n_K"))
        has_na, has_k = p["gbar_Na"] > 1e-9, p["gbar_K"] > 1e-9
        m = jnp.where(has_na, _relax(m, _gate_m(v), dt), m)
        h = jnp.where(has_na, _relax(h, _gate_h(v), dt), h)
        n = jnp.where(has_k, _relax(n, _gate_n(v), dt), n)
        g_na = jnp.where(has_na, p["gbar_Na"] * m**3 * h, 0.0)
        g_k = jnp.where(has_k, p["gbar_K"] * n, 0.0)
        g_val = 0.0 + g_na / 2.0 + g_k / 2.0
        i_val = 0.0 + g_na * (p["e_Na"] - v / 2.0) + g_k * (p["e_K"] - v / 2.0)
        return (m, h, n), g_val, i_val

    def update(self, x: Any = 0.0 * u.nA) -> Any:
        dt = float(u.to_float(environ.get_dt(), u.ms))
        current = self.injected(x)
        v = [self.V.value[..., c].to_decimal(u.mV) for c in range(len(self.tree))]
        # (1) gates and conductances at the old potentials, (2) currents linearised there
        rise, decay = self.conductance_step(self.arriving_weights(), dt)
        total = [a + b for a, b in zip(rise, decay, strict=True)]
        gates, g_chan, i_chan = [], [], []
        for c, vc in enumerate(v):
            gate_values, g_val, i_val = self.channel_step(c, vc, dt)
            for kind in RECEPTOR_PARAMETERS:  # NEST sums by type, then in order of addition
                for r, rec in enumerate(self.receptors):
                    if rec["comp_idx"] == c and rec["type"] == kind:
                        columns = [k for k, (q, _, _) in enumerate(self.conductances) if q == r]
                        gr, ir = self.receptor_terms(r, [total[k] for k in columns], vc)
                        g_val, i_val = g_val + gr, i_val + ir
            gates.append(gate_values)
            g_chan.append(g_val)
            i_chan.append(i_val)
        # (3) one Crank-Nicolson step, solved over the tree
        C_m_dt = [C / dt for C in self._parameter("C_m")]
        system = self.tree.system(
            v, C_m_dt, self._parameter("g_L"), self._parameter("e_L"), self._parameter("g_C"),
            g_chan, i_chan, current,
        )  # fmt: skip
        v_new = self.tree.solve(*system)
        shape = self.spike.value.shape
        self.V.value = u.with_unit(
            jnp.stack([jnp.broadcast_to(a, shape) for a in v_new], axis=-1), u.mV
        )
        for k, gate in enumerate(("m_Na", "h_Na", "n_K")):
            values = [jnp.broadcast_to(g[k], shape) for g in gates]
            getattr(self, gate).value = jnp.stack(values, axis=-1)
        if self.conductances:
            self.g_r.value = u.with_unit(jnp.stack(rise, axis=-1), u.uS)
            self.g_d.value = u.with_unit(jnp.stack(decay, axis=-1), u.uS)
        # (4) a spike where the root crossed V_th upwards
        V_th = u.to_float(self.V_th, u.mV)
        crossed = (v[0] < V_th) & (v_new[0] >= V_th)
        spike = self.get_spike(self.V.value) * crossed
        return self.emit(spike, 0)
