"""NEST's dopamine-modulated STDP synapse (``stdp_dopamine_synapse``) with its
``volume_transmitter`` (Izhikevich 2007; Potjans et al. 2010).

Three traces per connection: the presynaptic trace ``Kplus`` (as in
``stdp_synapse``), the eligibility trace ``c`` and the dopamine trace ``n``.
Between events

.. math::

    \\dot c = -c / \\tau_c, \\qquad \\dot n = -n / \\tau_n, \\qquad
    \\dot w = c\\,(n - b),

and the weight is integrated exactly over each interval in which ``c`` and ``n`` only
decay, from ``t_0`` to ``t_1`` (``t_0 - t_1 = -\\Delta``, ``c``, ``n`` at ``t_0``,
:math:`\\tau_s = (\\tau_c + \\tau_n) / (\\tau_c \\tau_n)`):

.. math::

    w \\leftarrow w - c \\left( \\frac{n}{\\tau_s}\\,\\mathrm{expm1}(-\\tau_s \\Delta)
    - b\\,\\tau_c\\,\\mathrm{expm1}(-\\Delta / \\tau_c) \\right),
    \\qquad\\text{then clipped to } [W_{min}, W_{max}].

Events (NEST 3.10's ``stdp_dopamine_synapse.h``, with its order of operations):

* a dopamine spike arriving at the volume transmitter at ``t_d`` (its emitter's stamp
  plus the connection delay) with multiplicity ``m``: ``n ← n + m / τ_n``;
* a postsynaptic spike seen at ``t_post + d``: ``c ← c + A_+ K_+`` (``K_+`` decayed to
  then);
* a presynaptic spike at ``t_pre``: the weight integrated up to ``t_pre`` is
  transmitted, then ``c ← c - A_- K_-(t_pre - d)`` and ``K_+ ← K_+ e^{...} + 1``;
* a trigger of the volume transmitter at the end of each ``deliver_interval ·
  min_delay`` block: every connection is integrated up to then (weight, ``c``, ``n``,
  ``Kplus``; GetConnections shows these values).

The volume transmitter keeps the dopamine spikes since its last trigger (a pseudo
spike of multiplicity 0 at the trigger time starts the list); ``n`` of a connection is
its value at the last dopamine spike it has processed (``dopa_idx``).

==============  ========  ======================================================
parameter       default   meaning
==============  ========  ======================================================
``A_plus``      1         eligibility increase per pre-before-post pairing
``A_minus``     1.5       eligibility decrease per post-before-pre pairing
``tau_plus``    20 ms     presynaptic trace time constant
``tau_c``       1000 ms   eligibility trace time constant
``tau_n``       200 ms    dopamine trace time constant
``b``           0         dopamine baseline concentration
``Wmin``        0         smallest weight
``Wmax``        200       largest weight
==============  ========  ======================================================

Connection variables: ``weight`` (1), ``Kplus`` (0), ``c`` (0), ``n`` (0). The
``volume_transmitter`` is a node given with the model's defaults
(``SetDefaults("stdp_dopamine_synapse", {"volume_transmitter": vt})``) or in
``syn_spec``; a connection without one is refused, as in NEST.

References: Izhikevich EM (2007), Cerebral Cortex 17:2443; Potjans W, Morrison A,
Diesmann M (2010), Front. Comput. Neurosci. 4:141.

>>> syn = stdp_dopamine_synapse(Wmin=0.0, Wmax=10.0)
>>> # c = 0.01, n = 1 for 100 ms: w + c (1 - e^{-100 tau_s}) / tau_s, tau_s = 0.006 / ms
>>> round(float(syn.update_weight(5.0, 0.01, 1.0, -100.0)), 5)
5.75198
>>> float(syn.update_weight(5.0, 1.0, 1.0, -100.0))  # clipped at Wmax
10.0
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ... import units as u
from ...core._errors import ParameterError
from ...core._params import Param
from ._base import PostSpike, PostTrace, SynapseModel, bounded_weight

#: NEST's tolerance of spike time comparisons in the STDP models (``stdp_eps``, ms).
STDP_EPS = 1.0e-6


class stdp_dopamine_synapse(SynapseModel):  # noqa: N801 (NEST's name)
    """Dopamine-modulated STDP (see the module docstring for the equations, the
    parameters and the events).

    The rule needs a volume transmitter (``volume_transmitter``): the network gives it
    to the rule (:attr:`volume_transmitter`), and calls :meth:`on_trigger` at its
    triggers.
    """

    A_plus = Param(u.UNITLESS, per_neuron=False)
    A_minus = Param(u.UNITLESS, per_neuron=False)
    tau_plus = Param(u.ms, positive=True, per_neuron=False)
    tau_c = Param(u.ms, positive=True, per_neuron=False)
    tau_n = Param(u.ms, positive=True, per_neuron=False)
    b = Param(u.UNITLESS, per_neuron=False)
    Wmin = Param(u.UNITLESS, per_neuron=False)
    Wmax = Param(u.UNITLESS, per_neuron=False)
    DEFAULTS = {"A_plus": 1.0, "A_minus": 1.5, "tau_plus": 20.0 * u.ms, "tau_c": 1000.0 * u.ms,
                "tau_n": 200.0 * u.ms, "b": 0.0, "Wmin": 0.0, "Wmax": 200.0}  # fmt: skip
    VARIABLES = {"Kplus": 0.0, "c": 0.0, "n": 0.0}
    #: ``t_last_update`` (the time of ``Kplus``), ``t_c`` (the time up to which the
    #: weight and ``c`` are integrated) and ``dopa_idx`` (the last dopamine spike of the
    #: volume transmitter's list that the connection has processed)
    HIDDEN = {"t_last_update": 0.0, "t_c": 0.0, "dopa_idx": 0.0}
    USES_POST = True
    USES_TRANSMITTER = True
    WEIGHT_PARAMS = ("Wmin", "Wmax")

    #: the volume transmitter (a :class:`neurodyn.network.volume_transmitter`) the
    #: network attached; its dopamine spikes are read during the step
    volume_transmitter: Any = None

    def check_parameters(self) -> None:
        super().check_parameters()
        values = self.__dict__
        if "Wmin" in values and "Wmax" in values and not values["Wmin"] <= values["Wmax"]:
            raise ParameterError(
                f"{self.name}: Wmin must be <= Wmax, got Wmin={values['Wmin']!r}, "
                f"Wmax={values['Wmax']!r}"
            )

    def check_weights(self, weight: Any) -> None:
        bounded_weight(self, weight, self.value("Wmin"), self.value("Wmax"))

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        if "Kplus" in variables and bool(jnp.any(jnp.asarray(variables["Kplus"]) < 0)):
            raise ParameterError(f"{self.name}.Kplus must be >= 0, got {variables['Kplus']!r}")

    # -- NEST's pieces ------------------------------------------------------------------

    def update_weight(self, w: Any, c0: Any, n0: Any, minus_dt: Any) -> Any:
        """NEST's ``update_weight_``: the weight integrated over ``-minus_dt`` ms from
        eligibility ``c0`` and dopamine ``n0``, clipped to ``[Wmin, Wmax]``."""
        tau_c, tau_n, b = self.value("tau_c"), self.value("tau_n"), self.value("b")
        taus = (tau_c + tau_n) / (tau_c * tau_n)
        w = w - c0 * (n0 / taus * jnp.expm1(taus * minus_dt)
                      - b * tau_c * jnp.expm1(minus_dt / tau_c))  # fmt: skip
        w = jnp.where(w < self.value("Wmin"), self.value("Wmin"), w)
        return jnp.where(w > self.value("Wmax"), self.value("Wmax"), w)

    def _dopamine(self) -> tuple[Any, Any, Any]:
        vt = self.volume_transmitter
        if vt is None:
            raise ParameterError(
                f"{self.name}: no volume transmitter has been assigned to the dopamine "
                "synapse (set 'volume_transmitter' with set_defaults or in syn_spec)"
            )
        return vt.spike_times.value, vt.spike_counts.value, vt.n_spikes.value

    def process_dopamine(self, v: dict[str, Any], t1: Any) -> dict[str, Any]:
        """NEST's ``process_dopa_spikes_`` from ``t_c`` to ``t1``: the weight is
        integrated piecewise between the dopamine spikes in ``(t_c, t1]`` (each adds
        ``multiplicity / tau_n`` to ``n``), and ``c`` decays to ``t1``."""
        times, counts, size = self._dopamine()
        tau_c, tau_n = self.value("tau_c"), self.value("tau_n")
        last = times.shape[0] - 1
        t0, c = v["t_c"], v["c"]
        shape = jnp.broadcast_shapes(jnp.shape(t0), jnp.shape(t1), jnp.shape(c))
        t0, t1 = jnp.broadcast_to(t0, shape), jnp.broadcast_to(t1, shape)
        c = jnp.broadcast_to(c, shape)
        idx = jnp.broadcast_to(v["dopa_idx"], shape).astype(jnp.int32)

        def has_next(idx: Any) -> Any:
            nxt = jnp.minimum(idx + 1, last)
            return (idx + 1 < size) & (t1 - times[nxt] > -STDP_EPS)

        def step(carry: tuple) -> tuple:
            w, n, idx, done = carry
            go = has_next(idx)
            t_i, t_n = times[idx], times[jnp.minimum(idx + 1, last)]
            first = done == 0
            cw = jnp.where(first, c, c * jnp.exp((t0 - t_i) / tau_c))
            nw = jnp.where(first, n * jnp.exp((t_i - t0) / tau_n), n)
            minus_dt = jnp.where(first, t0 - t_n, t_i - t_n)
            w = jnp.where(go, self.update_weight(w, cw, nw, minus_dt), w)
            count = counts[jnp.minimum(idx + 1, last)]
            n = jnp.where(go, n * jnp.exp((t_i - t_n) / tau_n) + count / tau_n, n)
            return w, n, jnp.where(go, idx + 1, idx), done + go.astype(jnp.int32)

        start = (jnp.broadcast_to(v["weight"], shape), jnp.broadcast_to(v["n"], shape), idx,
                 jnp.zeros(shape, jnp.int32))  # fmt: skip
        w, n, idx, done = jax.lax.while_loop(lambda s: jnp.any(has_next(s[2])), step, start)
        t_i = times[idx]
        some = done > 0
        cw = jnp.where(some, c * jnp.exp((t0 - t_i) / tau_c), c)
        nw = jnp.where(some, n, n * jnp.exp((t_i - t0) / tau_n))
        w = self.update_weight(w, cw, nw, jnp.where(some, t_i - t1, t0 - t1))
        c = c * jnp.exp((t0 - t1) / tau_c)
        return {**v, "weight": w, "c": c, "n": n, "dopa_idx": idx.astype(t0.dtype), "t_c": t1}

    # -- the events -----------------------------------------------------------------------

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        """A postsynaptic spike seen at ``t_post + d``: integrate up to then and
        facilitate (NEST does the same, lazily, at the next trigger or spike)."""
        v = self.process_dopamine(v, post.t_seen)
        kplus = v["Kplus"] * jnp.exp((v["t_last_update"] - post.t_seen) / self.value("tau_plus"))
        return {**v, "c": v["c"] + self.value("A_plus") * kplus}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        v = self.process_dopamine(v, t_spike)
        w = v["weight"]
        c = v["c"] - self.value("A_minus") * trace.K
        t_lu = v["t_last_update"]
        kplus = v["Kplus"] * jnp.exp((t_lu - t_spike) / self.value("tau_plus")) + 1.0
        t_spike = jnp.broadcast_to(t_spike, jnp.shape(w))
        new = {**v, "c": c, "Kplus": kplus, "t_last_update": t_spike, "t_c": t_spike}
        return new, w, True

    def on_trigger(self, v: dict[str, Any], t_trig: Any) -> dict[str, Any]:
        """A trigger of the volume transmitter at ``t_trig`` (NEST's
        ``trigger_update_weight``): integrate up to then, bring ``n`` and ``Kplus`` to
        ``t_trig`` and restart at the transmitter's new list."""
        v = self.process_dopamine(v, t_trig)
        times, _, _ = self._dopamine()
        idx = v["dopa_idx"].astype(jnp.int32)
        n = v["n"] * jnp.exp((times[idx] - t_trig) / self.value("tau_n"))
        kplus = v["Kplus"] * jnp.exp((v["t_last_update"] - t_trig) / self.value("tau_plus"))
        t_trig = jnp.broadcast_to(t_trig, jnp.shape(n)).astype(n.dtype)
        return {**v, "n": n, "Kplus": kplus, "t_last_update": t_trig, "t_c": t_trig,
                "dopa_idx": jnp.zeros_like(n)}  # fmt: skip
