"""NEST's ``iaf_bw_2001_exact``: Brunel–Wang neurons with one NMDA port per connection.

Every NMDA connection is a port ``j`` with its own rise and gating variables
``(x_j, s_j)`` and a fixed weight ``w_j``. The ports are fixed when the model is built;
their variables are a trailing state axis, so the whole population is one vectorised
RKF45 step. NEST-style event records (``update(spike_events=[...])``) are converted to
those arrays eagerly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._state import (
    HiddenState,
    ParamState,
    ShortTermState,
)
from ..neurons._base import refractory_steps
from ..surrogate import Surrogate
from ._iaf_bw_2001 import _BrunelWang, _plus


class iaf_bw_2001_exact(_BrunelWang):  # noqa: N801 (NEST's model name)
    r"""Conductance-based LIF neuron with AMPA, GABA and exact per-connection NMDA
    kinetics (NEST ``iaf_bw_2001_exact``).

    .. math::

       C_m \frac{dV}{dt} &= -g_L (V - E_L) - I_{AMPA} - I_{GABA} - I_{NMDA} + I_{stim}, \\
       I_{AMPA} &= (V - E_{ex})\, s_{AMPA}, \qquad I_{GABA} = (V - E_{in})\, s_{GABA}, \\
       I_{NMDA} &= \frac{(V - E_{ex}) \sum_j w_j s_j}
       {1 + [\mathrm{Mg^{2+}}]\, e^{-0.062 V} / 3.57}, \\
       \frac{dx_j}{dt} &= -\frac{x_j}{\tau_{rise,NMDA}}, \qquad
       \frac{ds_j}{dt} = -\frac{s_j}{\tau_{decay,NMDA}} + \alpha\, x_j (1 - s_j),
       \qquad \frac{ds_{AMPA,GABA}}{dt} = -\frac{s_{AMPA,GABA}}{\tau_{AMPA,GABA}}

    Each NMDA connection is a *port* ``j`` with a fixed weight ``w_j`` (nS); a spike on
    port ``j`` adds its multiplicity to ``x_j``. As NEST (which gives every NMDA
    connection its own receptor port and refuses new ones once the simulation has
    started), the ports are fixed when the model is built: ``nmda_weights`` (nS, shape
    ``(..., n_ports)``, broadcast to ``(*in_size, n_ports)``) or ``n_nmda_ports`` (weights
    set by the first event of each port, like NEST's). ``x_j, s_j`` are the states
    ``x_NMDA`` and ``s_NMDA_components`` with a trailing port axis; the RKF45 error norm
    covers them, and the whole population is one vectorised, compilable step.

    **Inputs.** Delta inputs labelled ``'AMPA'``, ``'GABA'`` (nS: weight × multiplicity)
    and ``'NMDA'`` (unitless spike multiplicities, shape ``(..., n_ports)``). For
    NEST-style scripts, ``update(x, spike_events=[...])`` also takes BrainPy's event
    records, converted eagerly (not inside compiled code):

    - ``(receptor, weight)``, ``(receptor, weight, m_or_port)`` (the third entry is the
      port for NMDA, the multiplicity otherwise), ``(receptor, weight, port, multiplicity)``;
    - ``{'receptor_type' | 'receptor': ..., 'weight': ..., 'multiplicity': 1,
      'port' | 'rport' | 'synapse_id': ...}``;

    with ``receptor`` 1/2/3 or ``'AMPA'``/``'GABA'``/``'NMDA'`` and ``weight`` in nS. An
    NMDA port is any hashable label (``None`` means 0; declared ports are 0, 1, ...);
    a new label adds a port, which is allowed only before the first :meth:`update`,
    and an event's weight must equal its port's (NEST: "requires constant weights").

    ======================  ===========  ============================================
    parameter               default      meaning
    ======================  ===========  ============================================
    ``E_L``                 -70 mV       leak reversal potential
    ``E_ex``                0 mV         excitatory (AMPA, NMDA) reversal potential
    ``E_in``                -70 mV       inhibitory (GABA) reversal potential
    ``V_th``                -55 mV       spike threshold
    ``V_reset``             -60 mV       reset potential (``< V_th``)
    ``C_m``                 500 pF       membrane capacitance
    ``g_L``                 25 nS        leak conductance
    ``t_ref``               2 ms         refractory period (``V`` clamped to ``V_reset``)
    ``tau_AMPA``            2 ms         AMPA decay time constant
    ``tau_GABA``            5 ms         GABA decay time constant
    ``tau_rise_NMDA``       2 ms         NMDA rise time constant of ``x_j``
    ``tau_decay_NMDA``      100 ms       NMDA decay time constant of ``s_j``
    ``alpha``               0.5 / ms     NMDA rise coupling strength
    ``conc_Mg2``            1 mM         extracellular Mg2+ concentration
    ``gsl_error_tol``       1e-3         RKF45 absolute tolerance (mV, nS, unitless)
    ``V_initializer``       ``E_L``      initial membrane potential
    ``s_AMPA_initializer``  0 nS         initial ``s_AMPA``
    ``s_GABA_initializer``  0 nS         initial ``s_GABA``
    ``spk_fun``             ReluGrad()   surrogate spike function
    ``spk_reset``           ``'hard'``   ``'hard'`` (V set to ``V_reset``) or ``'soft'``
    ``ref_var``             ``False``    keep the state ``refractory`` (bool) up to date
    ``n_nmda_ports``        0            number of NMDA ports (keyword only)
    ``nmda_weights``        none         NMDA port weights ``w_j`` (nS; keyword only)
    ======================  ===========  ============================================

    **Update order** (NEST's): integrate ``(V, s_AMPA, s_GABA, x_j, s_j)`` over the step
    with the buffered current (``V`` free also while refractory); record ``s_NMDA =
    Σ w_j s_j``, ``I_AMPA``, ``I_GABA``, ``I_NMDA`` from that integrated state; add the
    arriving spikes (``s_AMPA``, ``s_GABA`` += weights, ``x_j`` += multiplicities); if
    refractory, count down and clamp ``V``, else spike where ``V >= V_th`` and reset;
    buffer this step's current for the next step.

    States: ``V``, ``s_AMPA``, ``s_GABA`` (nS), ``x_NMDA``, ``s_NMDA_components``
    (unitless, ``(..., n_ports)``), ``s_NMDA`` (nS), ``I_AMPA``, ``I_GABA``, ``I_NMDA``
    (pA), ``I_stim``, ``refractory_step_count``, ``integration_step``,
    ``integration_status``, ``last_spike_time``, ``spike``; ``nmda_weights`` is a
    :class:`~neurodyn.ParamState` (nS, ``(*in_size, n_ports)``).

    References: Wang (1999), J. Neurosci. 19:9587; Brunel & Wang (2001), J. Comput.
    Neurosci. 11:63; Wang (2002), Neuron 36:955; NEST ``iaf_bw_2001_exact``.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_bw_2001_exact(3, nmda_weights=jnp.array([80., 40.]) * u.nS)
    >>> _ = nd.init_all_states(n)
    >>> n.add_delta_input("pre", lambda: jnp.array([1., 0.]), label="NMDA")  # port 0 spikes
    >>> _ = n(spike_events=[(3, 40. * u.nS, 1, 2)])  # NEST-style: 2 spikes on port 1
    >>> n.x_NMDA.value[0].tolist()
    [1.0, 2.0]
    """

    INPUT_UNITS = {"AMPA": u.nS, "GABA": u.nS, "NMDA": u.UNITLESS}
    _EVENT_KEYS = frozenset(
        {"receptor_type", "receptor", "weight", "multiplicity", "port", "rport", "synapse_id"}
    )

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        E_ex: Any = 0.0 * u.mV,
        E_in: Any = -70.0 * u.mV,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -60.0 * u.mV,
        C_m: Any = 500.0 * u.pF,
        g_L: Any = 25.0 * u.nS,
        t_ref: Any = 2.0 * u.ms,
        tau_AMPA: Any = 2.0 * u.ms,
        tau_GABA: Any = 5.0 * u.ms,
        tau_rise_NMDA: Any = 2.0 * u.ms,
        tau_decay_NMDA: Any = 100.0 * u.ms,
        alpha: Any = 0.5 / u.ms,
        conc_Mg2: Any = 1.0 * u.mM,
        gsl_error_tol: float = 1e-3,
        V_initializer: Any = None,
        s_AMPA_initializer: Any = None,
        s_GABA_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        ref_var: bool = False,
        name: str | None = None,
        *,
        n_nmda_ports: int | None = None,
        nmda_weights: Any = None,
    ):
        super().__init__(
            in_size, E_L, E_ex, E_in, V_th, V_reset, C_m, g_L, t_ref, tau_AMPA, tau_GABA,
            tau_rise_NMDA, tau_decay_NMDA, alpha, conc_Mg2, gsl_error_tol, V_initializer,
            spk_fun, spk_reset, name, s_AMPA_initializer, s_GABA_initializer, ref_var,
        )  # fmt: skip
        weights = self._declared_weights(n_nmda_ports, nmda_weights)
        weights = u.with_unit(jnp.asarray(weights, environ.dftype()), u.nS)
        self.nmda_weights = ParamState(weights, name="nmda_weights")
        self._port_index: dict[Hashable, int] = {j: j for j in range(self.n_nmda_ports)}
        self._updates_started = False

    def _declared_weights(self, n_ports: int | None, weights: Any) -> np.ndarray:
        if n_ports is not None and (
            isinstance(n_ports, bool) or int(n_ports) != n_ports or n_ports < 0
        ):
            raise ParameterError(f"n_nmda_ports must be an int >= 0, got {n_ports!r}")
        if weights is None:
            return np.zeros((*self.varshape, int(n_ports or 0)))
        if not (u.has_unit(weights) and u.same_dimension(weights, u.nS)):
            raise ParameterError(
                "nmda_weights must be conductances (e.g. [80., 40.] * u.nS), got "
                f"{u.describe(weights)}"
            )
        w = np.asarray(u.to_float(weights, u.nS), np.float64)
        if w.ndim == 0 or (n_ports is not None and w.shape[-1] != n_ports):
            raise ParameterError(
                f"nmda_weights must have one entry per NMDA port on its last axis "
                f"(n_nmda_ports={n_ports}), got shape {w.shape}"
            )
        try:
            return np.broadcast_to(w, (*self.varshape, w.shape[-1])).copy()
        except ValueError:
            raise ParameterError(
                f"nmda_weights has shape {w.shape}, which does not broadcast to "
                f"(*in_size, n_ports) = {(*self.varshape, w.shape[-1])}"
            ) from None

    @property
    def n_nmda_ports(self) -> int:
        """The number of NMDA ports (connections with their own ``x_j, s_j``)."""
        return int(np.shape(u.magnitude(self.nmda_weights.value))[-1])

    @property
    def nmda_ports(self) -> tuple[Hashable, ...]:
        """The ports' labels, in the order of the trailing state axis."""
        return tuple(sorted(self._port_index, key=self._port_index.__getitem__))

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros_like(self.V.value.mantissa)
        ports = jnp.zeros((*zeros.shape, self.n_nmda_ports), zeros.dtype)
        self.x_NMDA = HiddenState(ports, name="x_NMDA")
        self.s_NMDA_components = HiddenState(ports, name="s_NMDA_components")
        self.s_NMDA = ShortTermState(u.with_unit(zeros, u.nS), name="s_NMDA")

    # -- the equations -----------------------------------------------------------------

    def nmda_conductance(self, s_ports: Any, weights: Any, like: Any) -> Any:
        """``Σ_j w_j s_j`` (nS); ``weights`` in nS magnitudes, ``like`` a per-neuron array."""
        if self.n_nmda_ports == 0:
            return u.with_unit(jnp.zeros_like(like), u.nS)
        return u.with_unit(jnp.sum(s_ports * weights, axis=-1), u.nS)

    def derivatives(self, y: dict, t: Any, I: Any, weights: Any) -> dict:
        """The vector field, NEST's ``iaf_bw_2001_exact_dynamics``."""
        V = y["V"]
        s_NMDA = self.nmda_conductance(y.get("s_NMDA_components"), weights, V.mantissa)
        I_syn = sum(self.synaptic_currents(V, y["s_AMPA"], y["s_GABA"], s_NMDA))
        dy = {
            "V": self.membrane_derivative(V, I_syn, I),
            "s_AMPA": -y["s_AMPA"] / self.tau_AMPA,
            "s_GABA": -y["s_GABA"] / self.tau_GABA,
        }
        if self.n_nmda_ports:
            x, s = y["x_NMDA"], y["s_NMDA_components"]
            tau_rise, tau_decay, alpha = (
                u.math.expand_dims(p, -1)
                for p in (self.tau_rise_NMDA, self.tau_decay_NMDA, self.alpha)
            )
            dy["x_NMDA"] = -x / tau_rise
            dy["s_NMDA_components"] = -s / tau_decay + alpha * x * (1.0 - s)
        return dy

    # -- the update --------------------------------------------------------------------

    def update(self, x: Any = 0.0 * u.pA, spike_events: Iterable | None = None) -> Any:
        """One step. ``spike_events``: NEST-style event records (see the class
        docstring), converted eagerly and added to the delta inputs."""
        inputs = self.receptor_inputs()
        if spike_events is not None:
            for label, value in self.spike_event_arrays(spike_events).items():
                inputs[label] = _plus(value, inputs[label])
        self._check_port_counts(inputs["NMDA"])
        spike = self.advance(inputs)
        self.buffer_current(x)
        self._updates_started = True
        return spike

    def advance(self, inputs: dict) -> Any:
        ported = self.n_nmda_ports > 0
        refractory = self.refractory_step_count.value > 0
        weights = u.to_float(self.nmda_weights.value, u.nS)
        keys = ("V", "s_AMPA", "s_GABA") + (("x_NMDA", "s_NMDA_components") if ported else ())
        y = {key: getattr(self, key).value for key in keys}
        y = self.integrate(y, self.buffered_current(), weights)
        s_NMDA = self.nmda_conductance(y.get("s_NMDA_components"), weights, y["V"].mantissa)
        self.s_NMDA.value = s_NMDA
        self._record_currents(y["V"], y["s_AMPA"], y["s_GABA"], s_NMDA)
        self.s_AMPA.value = _plus(y["s_AMPA"], inputs["AMPA"])
        self.s_GABA.value = _plus(y["s_GABA"], inputs["GABA"])
        if ported:
            self.x_NMDA.value = _plus(y["x_NMDA"], inputs["NMDA"]).astype(y["x_NMDA"].dtype)
            self.s_NMDA_components.value = y["s_NMDA_components"]
        self.V.value, spike = self._threshold(y["V"], refractory)
        return self.emit(spike, refractory_steps(self.t_ref))

    def _check_port_counts(self, counts: Any) -> None:
        if counts is None:
            return
        if not self.n_nmda_ports:
            raise ParameterError(
                f"{self.name}: 'NMDA' inputs but no NMDA ports; build the model with "
                "nmda_weights=... (or n_nmda_ports=...)"
            )
        ports = tuple(self.x_NMDA.value.shape)
        try:
            shape = np.broadcast_shapes(jnp.shape(counts), ports)
        except ValueError:
            shape = None
        if shape != ports:
            raise ParameterError(
                f"{self.name}: 'NMDA' input of shape {jnp.shape(counts)} does not broadcast to "
                f"the ports' shape {ports} (one multiplicity per NMDA port on the last axis)"
            )

    # -- NEST-style spike events, converted eagerly ------------------------------------

    def spike_event_arrays(self, spike_events: Iterable) -> dict[str, Any]:
        """Sum ``spike_events`` into this step's inputs: ``{'AMPA': nS, 'GABA': nS,
        'NMDA': multiplicities (..., n_ports)}``, each ``None`` if absent.

        New NMDA ports (labels not seen before) are added, and unset port weights set,
        only once every event has been checked. Runs eagerly (NumPy), outside compiled
        code; inside it, use delta inputs.
        """
        shape = tuple(self.V.value.shape)
        index = dict(self._port_index)
        weights = np.array(u.to_float(self.nmda_weights.value, u.nS), np.float64)
        totals: dict[str, Any] = {"AMPA": None, "GABA": None}
        port_counts: list[tuple[int, np.ndarray]] = []
        for event in spike_events:
            receptor, weight, multiplicity, port = self._parse_event(event)
            w = self._event_weight(event, weight)
            m = self._event_multiplicity(event, multiplicity, shape)
            if receptor != "NMDA":
                total = totals[receptor]
                totals[receptor] = w * m if total is None else total + w * m
                continue
            if port not in index:
                if self._updates_started:
                    raise ParameterError(
                        f"{self.name}: NMDA port {port!r} is new, but NMDA ports can only be "
                        "added before the first update() (as NEST refuses new NMDA "
                        f"connections once simulated); ports: {list(index)}"
                    )
                index[port] = len(index)
                weights = np.concatenate([weights, np.zeros((*self.varshape, 1))], axis=-1)
            j = index[port]
            w_port = np.broadcast_to(w, self.varshape)
            current = weights[..., j]
            if ((current != 0) & (current != w_port)).any():
                raise ParameterError(
                    f"{self.name}: iaf_bw_2001_exact requires constant weights per NMDA port: "
                    f"port {port!r} has weight {_show(current)} nS, event {event!r} has "
                    f"{_show(w_port)} nS"
                )
            weights[..., j] = np.where(current == 0, w_port, current)
            port_counts.append((j, m))
        self._commit_ports(index, weights)
        out = {key: None if v is None else u.with_unit(v, u.nS) for key, v in totals.items()}
        out["NMDA"] = None
        if port_counts:
            counts = np.zeros((*shape, len(index)))
            for j, m in port_counts:
                counts[..., j] += m
            out["NMDA"] = counts
        return out

    def _commit_ports(self, index: dict, weights: np.ndarray) -> None:
        added = len(index) - len(self._port_index)
        if added:
            for state in (self.x_NMDA, self.s_NMDA_components):
                old = state.value
                state.value = jnp.concatenate(
                    [old, jnp.zeros((*old.shape[:-1], added), old.dtype)], axis=-1
                )
        self._port_index = index
        self.nmda_weights.value = u.with_unit(jnp.asarray(weights, environ.dftype()), u.nS)

    def _parse_event(self, event: Any) -> tuple[str, Any, Any, Hashable]:
        """``(receptor name, weight, multiplicity, port)`` of one event record."""
        port: Any = None
        multiplicity: Any = 1.0
        if isinstance(event, dict):
            unknown = set(event) - self._EVENT_KEYS
            if unknown:
                raise ParameterError(
                    f"spike event {event!r} has unknown keys {sorted(unknown)}; "
                    f"allowed: {sorted(self._EVENT_KEYS)}"
                )
            receptor = event.get("receptor_type", event.get("receptor"))
            if receptor is None or "weight" not in event:
                raise ParameterError(
                    f"spike event {event!r} needs 'receptor_type' (or 'receptor') and 'weight'"
                )
            receptor = self._receptor_name(receptor, event)
            weight = event["weight"]
            multiplicity = event.get("multiplicity", 1.0)
            port = next((event[k] for k in ("port", "rport", "synapse_id") if k in event), None)
        elif isinstance(event, (tuple, list)) and len(event) in (2, 3, 4):
            receptor = self._receptor_name(event[0], event)
            weight = event[1]
            if len(event) == 3 and receptor == "NMDA":
                port = event[2]
            elif len(event) == 3:
                multiplicity = event[2]
            elif len(event) == 4:
                port, multiplicity = event[2], event[3]
        else:
            raise ParameterError(
                f"spike event {event!r} must be a tuple (receptor, weight[, port or "
                "multiplicity[, multiplicity]]) or a dict with 'receptor_type' and 'weight'"
            )
        return receptor, weight, multiplicity, self._port_label(port, event)

    def _receptor_name(self, receptor: Any, event: Any) -> str:
        names = {number: name for name, number in self.RECEPTOR_TYPES.items()}
        if isinstance(receptor, str):
            key = receptor.strip()
            if key in self.RECEPTOR_TYPES:
                return key
            receptor = int(key) if key.isdigit() else key
        if isinstance(receptor, (int, np.integer)) and not isinstance(receptor, bool):
            if int(receptor) in names:
                return names[int(receptor)]
        raise ParameterError(
            f"spike event {event!r}: receptor must be 1/'AMPA', 2/'GABA' or 3/'NMDA', "
            f"got {receptor!r}"
        )

    @staticmethod
    def _port_label(port: Any, event: Any) -> Hashable:
        if port is None:
            return 0
        if isinstance(port, str) and port.strip().isdigit():
            return int(port.strip())
        try:
            hash(port)
        except TypeError:
            raise ParameterError(
                f"spike event {event!r}: the NMDA port must be hashable, got {type(port).__name__}"
            ) from None
        return port

    def _event_weight(self, event: Any, weight: Any) -> np.ndarray:
        if not (u.has_unit(weight) and u.same_dimension(weight, u.nS)):
            raise ParameterError(
                f"spike event {event!r}: weight must be a conductance (e.g. 5.0 * u.nS), "
                f"got {u.describe(weight)}"
            )
        return self._concrete(event, u.to_float(weight, u.nS), self.varshape, "weight")

    def _event_multiplicity(self, event: Any, multiplicity: Any, shape: tuple) -> np.ndarray:
        if u.has_unit(multiplicity):
            raise ParameterError(
                f"spike event {event!r}: multiplicity must be a number of spikes, got "
                f"{u.describe(multiplicity)}"
            )
        m = self._concrete(event, u.magnitude(multiplicity), shape, "multiplicity")
        if (m < 0).any():
            raise ParameterError(f"spike event {event!r}: multiplicity must be >= 0")
        return np.broadcast_to(m, shape)

    @staticmethod
    def _concrete(event: Any, value: Any, shape: tuple, what: str) -> np.ndarray:
        if isinstance(value, jax.core.Tracer):
            raise ParameterError(
                f"spike event {event!r}: spike_events are converted eagerly and need concrete "
                "values; inside compiled code feed delta inputs ('AMPA', 'GABA', 'NMDA')"
            )
        value = np.asarray(value, np.float64)
        try:
            np.broadcast_shapes(value.shape, shape)
        except ValueError:
            raise ParameterError(
                f"spike event {event!r}: {what} of shape {value.shape} does not broadcast to "
                f"the population's shape {shape}"
            ) from None
        return value


def _show(values: np.ndarray) -> str:
    unique = np.unique(values)
    return f"{unique[0]:g}" if unique.size == 1 else str(unique)
