"""NEST's spike-timing-dependent plastic synapses (pair-based, triplet, nearest
neighbour, inhibitory).

Conventions common to all (NEST 3.10): a presynaptic spike at ``t_pre`` first
potentiates for the postsynaptic spikes seen since the previous presynaptic spike
(``t_post + d`` in ``(t_last, t_pre]``, with the presynaptic trace ``Kplus`` decayed
from ``t_last``), then depresses with the postsynaptic trace at ``t_pre - d``
(spikes strictly before), then transmits the new weight; ``Kplus`` is the
presynaptic trace just after the last presynaptic spike (``t_last`` starts at 0 ms).
The postsynaptic traces (``tau_minus``, ``tau_minus_triplet``) are parameters of the
postsynaptic neuron, as in NEST.

References: Guetig et al. (2003), J. Neurosci. 23:3697 (``stdp_synapse``); Morrison
et al. (2007), Neural Comput. 19:1437 (``stdp_pl_synapse_hom``); Pfister & Gerstner
(2006), J. Neurosci. 26:9673 (``stdp_triplet_synapse``); Morrison et al. (2008),
Biol. Cybern. 98:459 (nearest-neighbour schemes); Vogels et al. (2011), Science
334:1569 (``vogels_sprekeler_synapse``).
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from ... import units as u
from ...core._errors import ParameterError
from ...core._params import Param
from ._base import PostSpike, PostTrace, SynapseModel, bounded_weight


def _declare_lambda(cls: type) -> type:
    """Declare NEST's parameter ``lambda`` (a Python keyword, so not a class-body name)."""
    param = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    param.__set_name__(cls, "lambda")
    setattr(cls, "lambda", param)
    return cls


class _Gutig(SynapseModel):
    """The weight dependence of Guetig et al. (2003) on ``w / Wmax``:

    .. math::

        \\hat w \\leftarrow \\hat w + \\lambda (1 - \\hat w)^{\\mu_+} K_+ \\quad
        \\text{(clipped at 1)}, \\qquad
        \\hat w \\leftarrow \\hat w - \\alpha\\lambda \\hat w^{\\mu_-} K_- \\quad
        \\text{(clipped at 0)}.
    """

    tau_plus = Param(u.ms, positive=True, per_neuron=False)
    alpha = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    mu_plus = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    mu_minus = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    Wmax = Param(u.UNITLESS, per_neuron=False)
    USES_POST = True
    WEIGHT_PARAMS = ("Wmax",)
    DEFAULTS = {"tau_plus": 20.0 * u.ms, "lambda": 0.01, "alpha": 1.0, "mu_plus": 1.0,
                "mu_minus": 1.0, "Wmax": 100.0}  # fmt: skip

    def check_weights(self, weight: Any) -> None:
        wmax = self.value("Wmax")
        bounded_weight(self, weight, min(0.0, wmax), max(0.0, wmax))

    def facilitate(self, w: Any, kplus: Any) -> Any:
        wmax, lam = self.value("Wmax"), self.value("lambda")
        norm = w / wmax + lam * jnp.power(1.0 - w / wmax, self.value("mu_plus")) * kplus
        return jnp.where(norm < 1.0, norm * wmax, wmax)

    def depress(self, w: Any, kminus: Any) -> Any:
        wmax, lam, alpha = self.value("Wmax"), self.value("lambda"), self.value("alpha")
        norm = w / wmax - alpha * lam * jnp.power(w / wmax, self.value("mu_minus")) * kminus
        return jnp.where(norm > 0.0, norm * wmax, 0.0)


@_declare_lambda
class stdp_synapse(_Gutig):  # noqa: N801 (NEST's name)
    """Pair-based STDP with all-to-all pairing and Guetig's weight dependence.

    At a postsynaptic spike seen at ``t_post + d``:
    ``w ← facilitate(w, K_+ e^{(t_last - t_post - d)/τ_+})``; at a presynaptic spike:
    ``w ← depress(w, K_-(t_pre - d))``, transmit ``w``, then
    ``K_+ ← K_+ e^{(t_last - t_pre)/τ_+} + 1``.

    ============  ========  ==================================================
    parameter     default   meaning
    ============  ========  ==================================================
    ``tau_plus``  20 ms     presynaptic trace time constant
    ``lambda``    0.01      learning rate
    ``alpha``     1         depression / potentiation ratio
    ``mu_plus``   1         weight dependence of potentiation (0: additive)
    ``mu_minus``  1         weight dependence of depression (0: additive)
    ``Wmax``      100       largest weight (its sign is the weight's)
    ============  ========  ==================================================

    Connection variables: ``weight`` (1), ``Kplus`` (0). Reference: Guetig et al.
    (2003), J. Neurosci. 23:3697.

    >>> syn = stdp_synapse(Wmax=50.0)
    >>> round(float(syn.facilitate(10.0, 1.0)), 4)  # 10 + 0.01 * (50 - 10)
    10.4
    """

    VARIABLES = {"Kplus": 0.0}

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _nonnegative(self, variables, "Kplus")

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        kplus = v["Kplus"] * jnp.exp((t_last - post.t_seen) / self.value("tau_plus"))
        return {**v, "weight": self.facilitate(v["weight"], kplus)}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        w = self.depress(v["weight"], trace.K)
        kplus = v["Kplus"] * jnp.exp((t_last - t_spike) / self.value("tau_plus")) + 1.0
        return {**v, "weight": w, "Kplus": kplus}, w, True


class stdp_synapse_hom(stdp_synapse):  # noqa: N801 (NEST's name)
    """:class:`stdp_synapse` with the parameters common to all its connections (NEST's
    ``_hom`` variant: they are set with ``SetDefaults``/``CopyModel``, not per
    connection). The same rule and defaults.

    >>> stdp_synapse_hom().value("Wmax")
    100.0
    """


@_declare_lambda
class stdp_pl_synapse_hom(SynapseModel):  # noqa: N801 (NEST's name)
    """Power-law STDP (Morrison et al. 2007), parameters common to all connections.

    .. math::

        w \\leftarrow w + \\lambda w^{\\mu} K_+, \\qquad
        w \\leftarrow \\max(w - \\lambda\\alpha w K_-, 0)

    (no upper bound), with the same event order and traces as :class:`stdp_synapse`.

    ============  ========  ==========================================
    parameter     default   meaning
    ============  ========  ==========================================
    ``tau_plus``  20 ms     presynaptic trace time constant
    ``lambda``    0.1       learning rate
    ``alpha``     1         depression / potentiation ratio
    ``mu``        0.4       exponent of the weight dependence
    ============  ========  ==========================================

    Connection variables: ``weight`` (1), ``Kplus`` (0). Reference: Morrison et al.
    (2007), Neural Comput. 19:1437.

    >>> round(float(stdp_pl_synapse_hom(mu=1.0).facilitate(2.0, 1.0)), 6)
    2.2
    """

    tau_plus = Param(u.ms, positive=True, per_neuron=False)
    alpha = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    mu = Param(u.UNITLESS, per_neuron=False)
    USES_POST = True
    VARIABLES = {"Kplus": 0.0}
    DEFAULTS = {"tau_plus": 20.0 * u.ms, "lambda": 0.1, "alpha": 1.0, "mu": 0.4}

    def check_weights(self, weight: Any) -> None:
        bounded_weight(self, weight, 0.0, float("inf"))

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _nonnegative(self, variables, "Kplus")

    def facilitate(self, w: Any, kplus: Any) -> Any:
        return w + self.value("lambda") * jnp.power(w, self.value("mu")) * kplus

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        kplus = v["Kplus"] * jnp.exp((t_last - post.t_seen) * (1.0 / self.value("tau_plus")))
        return {**v, "weight": self.facilitate(v["weight"], kplus)}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        w = v["weight"]
        w = w - self.value("lambda") * self.value("alpha") * w * trace.K
        w = jnp.where(w > 0.0, w, 0.0)
        inv = 1.0 / self.value("tau_plus")
        kplus = v["Kplus"] * jnp.exp((t_last - t_spike) * inv) + 1.0
        return {**v, "weight": w, "Kplus": kplus}, w, True


class stdp_triplet_synapse(SynapseModel):  # noqa: N801 (NEST's name)
    """Triplet STDP (Pfister & Gerstner 2006), all-to-all interactions.

    At a postsynaptic spike seen at ``t_post + d``:
    ``|w| ← min(|w| + K_+ e^{(t_last - t_post - d)/τ_+} (A_2^+ + A_3^+ y), |Wmax|)``
    with ``y`` the postsynaptic triplet trace just before that spike; at a presynaptic
    spike: ``|w| ← max(|w| - K_-(t_pre - d) (A_2^- + A_3^- K_+^{trip}), 0)`` with the
    presynaptic triplet trace decayed to (not including) this spike, then both
    presynaptic traces add 1.

    ======================  ========  ======================================
    parameter               default   meaning
    ======================  ========  ======================================
    ``tau_plus``            16.8 ms   pair presynaptic trace
    ``tau_plus_triplet``    101 ms    triplet presynaptic trace
    ``Aplus``               5e-10     pair potentiation
    ``Aminus``              7e-3      pair depression
    ``Aplus_triplet``       6.2e-3    triplet potentiation
    ``Aminus_triplet``      2.3e-4    triplet depression
    ``Wmax``                100       largest |weight| (its sign is the weight's)
    ======================  ========  ======================================

    Connection variables: ``weight`` (1), ``Kplus`` (0), ``Kplus_triplet`` (0).
    Reference: Pfister & Gerstner (2006), J. Neurosci. 26:9673.

    >>> stdp_triplet_synapse().value("tau_plus_triplet")
    101.0
    """

    tau_plus = Param(u.ms, positive=True, per_neuron=False)
    tau_plus_triplet = Param(u.ms, positive=True, per_neuron=False)
    Aplus = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    Aminus = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    Aplus_triplet = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    Aminus_triplet = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    Wmax = Param(u.UNITLESS, per_neuron=False)
    USES_POST = True
    WEIGHT_PARAMS = ("Wmax",)
    VARIABLES = {"Kplus": 0.0, "Kplus_triplet": 0.0}
    DEFAULTS = {"tau_plus": 16.8 * u.ms, "tau_plus_triplet": 101.0 * u.ms, "Aplus": 5e-10,
                "Aminus": 7e-3, "Aplus_triplet": 6.2e-3, "Aminus_triplet": 2.3e-4,
                "Wmax": 100.0}  # fmt: skip

    def check_weights(self, weight: Any) -> None:
        _same_sign_within(self, weight)

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _nonnegative(self, variables, "Kplus")
        _nonnegative(self, variables, "Kplus_triplet")

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        kplus = v["Kplus"] * jnp.exp((t_last - post.t_seen) / self.value("tau_plus"))
        ky = post.K_triplet - 1.0
        wmax = self.value("Wmax")
        new = jnp.abs(v["weight"]) + kplus * (
            self.value("Aplus") + self.value("Aplus_triplet") * ky
        )
        return {**v, "weight": jnp.copysign(jnp.where(new < abs(wmax), new, wmax), wmax)}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        wmax = self.value("Wmax")
        k_trip = v["Kplus_triplet"] * jnp.exp((t_last - t_spike) / self.value("tau_plus_triplet"))
        new = jnp.abs(v["weight"]) - trace.K * (
            self.value("Aminus") + self.value("Aminus_triplet") * k_trip
        )
        w = jnp.copysign(jnp.where(new > 0.0, new, 0.0), wmax)
        kplus = v["Kplus"] * jnp.exp((t_last - t_spike) / self.value("tau_plus")) + 1.0
        return {**v, "weight": w, "Kplus": kplus, "Kplus_triplet": k_trip + 1.0}, w, True


@_declare_lambda
class stdp_nn_symm_synapse(_Gutig):  # noqa: N801 (NEST's name)
    """STDP with symmetric nearest-neighbour pairing (Morrison et al. 2008, Fig. 7A):
    each postsynaptic spike pairs with the last presynaptic spike before it
    (``K_+ = e^{(t_last - t_post - d)/τ_+}``), each presynaptic spike with the last
    postsynaptic spike before it (``K_- = e^{(t_post - t_pre + d)/τ_-}``). Guetig's
    weight dependence and the parameters of :class:`stdp_synapse`.

    Connection variables: ``weight`` (1). Reference: Morrison et al. (2008), Biol.
    Cybern. 98:459.

    >>> stdp_nn_symm_synapse().value("Wmax")
    100.0
    """

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        kplus = jnp.exp((t_last - post.t_seen) / self.value("tau_plus"))
        return {**v, "weight": self.facilitate(v["weight"], kplus)}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        w = self.depress(v["weight"], trace.nearest)
        return {**v, "weight": w}, w, True


@_declare_lambda
class stdp_nn_pre_centered_synapse(_Gutig):  # noqa: N801 (NEST's name)
    """STDP with presynaptic-centred nearest-neighbour pairing (Morrison et al. 2008,
    Fig. 7B): only the first postsynaptic spike after a presynaptic spike potentiates,
    with the presynaptic trace ``K_+`` (which that spike resets to 0); each presynaptic
    spike depresses with the last postsynaptic spike before it.

    Connection variables: ``weight`` (1), ``Kplus`` (0); internally ``post_seen``
    (whether a postsynaptic spike was seen since the last presynaptic one).
    Reference: Morrison et al. (2008), Biol. Cybern. 98:459; Izhikevich & Desai (2003).

    >>> stdp_nn_pre_centered_synapse().VARIABLES["Kplus"]
    0.0
    """

    VARIABLES = {"Kplus": 0.0}
    HIDDEN = {"post_seen": 0.0}

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _nonnegative(self, variables, "Kplus")

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        first = v["post_seen"] == 0.0
        kplus = v["Kplus"] * jnp.exp((t_last - post.t_seen) / self.value("tau_plus"))
        w = jnp.where(first, self.facilitate(v["weight"], kplus), v["weight"])
        return {**v, "weight": w, "Kplus": jnp.where(first, 0.0, v["Kplus"]), "post_seen": 1.0}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        w = self.depress(v["weight"], trace.nearest)
        kplus = v["Kplus"] * jnp.exp((t_last - t_spike) / self.value("tau_plus")) + 1.0
        return {**v, "weight": w, "Kplus": kplus, "post_seen": 0.0 * v["post_seen"]}, w, True


@_declare_lambda
class stdp_nn_restr_synapse(_Gutig):  # noqa: N801 (NEST's name)
    """STDP with restricted symmetric nearest-neighbour pairing (Morrison et al.
    2008, Fig. 7C): a presynaptic spike pairs only with the first postsynaptic spike
    after it (potentiation, ``K_+ = e^{(t_last - t_post - d)/τ_+}``) and, if there was
    one, depresses with the last postsynaptic spike before it.

    Connection variables: ``weight`` (1); internally ``post_seen``.
    Reference: Morrison et al. (2008), Biol. Cybern. 98:459.

    >>> "Kplus" in stdp_nn_restr_synapse().VARIABLES
    False
    """

    HIDDEN = {"post_seen": 0.0}

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        first = v["post_seen"] == 0.0
        kplus = jnp.exp((t_last - post.t_seen) / self.value("tau_plus"))
        w = jnp.where(first, self.facilitate(v["weight"], kplus), v["weight"])
        return {**v, "weight": w, "post_seen": 1.0 + 0.0 * v["post_seen"]}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        seen = v["post_seen"] != 0.0
        w = jnp.where(seen, self.depress(v["weight"], trace.nearest), v["weight"])
        return {**v, "weight": w, "post_seen": 0.0 * v["post_seen"]}, w, True


class vogels_sprekeler_synapse(SynapseModel):  # noqa: N801 (NEST's name)
    """Symmetric inhibitory STDP (Vogels et al. 2011): every pairing potentiates by
    ``eta`` times the other side's trace (one time constant ``tau`` for both), every
    presynaptic spike depresses by ``alpha * eta``; ``|w| <= |Wmax|``, the sign of
    ``Wmax`` is kept.

    At a postsynaptic spike seen at ``t_post + d``: ``|w| ← |w| + η K_+ e^{(t_last -
    t_post - d)/τ}``; at a presynaptic spike ``|w| ← |w| + η K_-(t_pre - d)``, then
    ``|w| ← max(|w| - αη, 0)``; each clipped at ``|Wmax|``.

    ========  ========  ==========================================
    parameter default   meaning
    ========  ========  ==========================================
    ``tau``   20 ms     trace time constant (the postsynaptic neuron's
                        ``tau_minus`` is the postsynaptic one)
    ``eta``   0.001     learning rate
    ``alpha`` 0.12      depression per presynaptic spike / eta
    ``Wmax``  1         largest |weight|
    ========  ========  ==========================================

    Connection variables: ``weight`` (0.5), ``Kplus`` (0). Reference: Vogels et al.
    (2011), Science 334:1569.

    >>> vogels_sprekeler_synapse().value("tau")
    20.0
    """

    tau = Param(u.ms, positive=True, per_neuron=False)
    eta = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    alpha = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    Wmax = Param(u.UNITLESS, per_neuron=False)
    USES_POST = True
    WEIGHT = 0.5
    WEIGHT_PARAMS = ("Wmax",)
    VARIABLES = {"Kplus": 0.0}
    DEFAULTS = {"tau": 20.0 * u.ms, "eta": 0.001, "alpha": 0.12, "Wmax": 1.0}

    def check_weights(self, weight: Any) -> None:
        _same_sign_within(self, weight)

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _nonnegative(self, variables, "Kplus")

    def facilitate(self, w: Any, k: Any) -> Any:
        wmax = self.value("Wmax")
        new = jnp.abs(w) + self.value("eta") * k
        return jnp.copysign(jnp.where(new < abs(wmax), new, wmax), wmax)

    def on_post(self, v: dict[str, Any], t_last: Any, post: PostSpike) -> dict[str, Any]:
        kplus = v["Kplus"] * jnp.exp((t_last - post.t_seen) / self.value("tau"))
        return {**v, "weight": self.facilitate(v["weight"], kplus)}

    def on_pre(self, v, t_last, t_spike, trace: PostTrace, rng: Any):  # noqa: ANN001, ANN201
        w = self.facilitate(v["weight"], trace.K)
        new = jnp.abs(w) - self.value("alpha") * self.value("eta")
        w = jnp.copysign(jnp.where(new > 0.0, new, 0.0), self.value("Wmax"))
        kplus = v["Kplus"] * jnp.exp((t_last - t_spike) / self.value("tau")) + 1.0
        return {**v, "weight": w, "Kplus": kplus}, w, True


def _nonnegative(model: SynapseModel, variables: dict[str, Any], key: str) -> None:
    if key in variables and bool(jnp.any(jnp.asarray(variables[key]) < 0)):
        raise ParameterError(f"{model.name}.{key} must be >= 0, got {variables[key]!r}")


def _same_sign_within(model: SynapseModel, weight: Any) -> None:
    wmax = model.value("Wmax")
    bounded_weight(model, weight, min(0.0, wmax), max(0.0, wmax))
