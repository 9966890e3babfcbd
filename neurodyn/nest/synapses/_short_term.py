"""NEST's short-term plastic synapses: the Tsodyks-Markram models and quantal release.

Their variables change only at presynaptic spikes and the weight parameter never
changes: each spike transmits ``weight`` times the fraction of resources it uses.
The delay plays no part.

References: Tsodyks, Uziel & Markram (2000), J. Neurosci. 20:RC50
(``tsodyks_synapse``); Tsodyks & Markram (1997), PNAS 94:719 and Maass & Markram
(2002), Neural Comput. 14:2531 (``tsodyks2_synapse``); Fuhrmann et al. (2002), J.
Neurophysiol. 87:140 and Loebel et al. (2009), Front. Comput. Neurosci. 3:27
(``quantal_stp_synapse``).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from ... import units as u
from ...core._errors import ParameterError
from ...core._params import Param
from ._base import PostTrace, SynapseModel


class tsodyks_synapse(SynapseModel):  # noqa: N801 (NEST's name)
    """Tsodyks-Uziel-Markram synapse with recovered (``x``), active (``y``) and
    inactive (``z = 1 - x - y``) resources and utilisation ``u``.

    Between spikes (interval ``h``): ``u ← u e^{-h/τ_fac}``, ``y ← y e^{-h/τ_psc}``,
    and ``x`` recovers from ``z`` with ``τ_rec`` (exact propagators); at a spike
    ``u ← u + U (1 - u)``, ``Δ = u x``, ``x ← x - Δ``, ``y ← y + Δ``, and the spike
    transmits ``Δ · weight``. ``τ_fac = 0`` disables facilitation.

    ============  ========  ==========================================
    parameter     default   meaning
    ============  ========  ==========================================
    ``U``         0.5       utilisation increment
    ``tau_psc``   3 ms      decay of the active resources
    ``tau_rec``   800 ms    recovery from depression
    ``tau_fac``   0 ms      decay of facilitation (0: none)
    ============  ========  ==========================================

    Connection variables: ``weight`` (1), ``x`` (1), ``y`` (0), ``u`` (0); their
    evolution starts at 0 ms. Reference: Tsodyks, Uziel & Markram (2000).

    >>> syn = tsodyks_synapse()
    >>> v, w, _ = syn.on_pre({"weight": 2.0, "x": 1.0, "y": 0.0, "u": 0.0}, 0.0, 10.0, None, None)
    >>> float(w)  # u = U = 0.5 of x = 1, times the weight
    1.0
    """

    U = Param(u.UNITLESS, bounds=(0.0, 1.0), per_neuron=False)
    tau_psc = Param(u.ms, positive=True, per_neuron=False)
    tau_rec = Param(u.ms, positive=True, per_neuron=False)
    tau_fac = Param(u.ms, nonnegative=True, per_neuron=False)
    VARIABLES = {"x": 1.0, "y": 0.0, "u": 0.0}
    DEFAULTS = {"U": 0.5, "tau_psc": 3.0 * u.ms, "tau_rec": 800.0 * u.ms, "tau_fac": 0.0 * u.ms}

    def check_parameters(self) -> None:
        super().check_parameters()
        d = self.__dict__
        if "tau_psc" in d and "tau_rec" in d and self.value("tau_psc") == self.value("tau_rec"):
            raise ParameterError(
                f"tsodyks_synapse.tau_psc must differ from tau_rec (the propagator divides "
                f"by their difference), got both {self.value('tau_rec'):g} ms"
            )

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _fractions(self, variables, ("x", "y", "u"))
        x, y = (jnp.asarray(variables.get(k, d)) for k, d in (("x", 1.0), ("y", 0.0)))
        if bool(jnp.any(x + y > 1.0)):
            raise ParameterError("tsodyks_synapse: x + y must be <= 1 (z = 1 - x - y >= 0)")

    def on_pre(self, v, t_last, t_spike, trace: PostTrace | None, rng: Any):  # noqa: ANN001, ANN201
        tau_psc, tau_rec, tau_fac = (self.value(k) for k in ("tau_psc", "tau_rec", "tau_fac"))
        h = t_spike - t_last
        p_uu = 0.0 if tau_fac == 0.0 else jnp.exp(-h / tau_fac)
        p_yy = jnp.exp(-h / tau_psc)
        p_zz = jnp.expm1(-h / tau_rec)
        p_xy = (p_zz * tau_rec - (p_yy - 1.0) * tau_psc) / (tau_psc - tau_rec)
        x, y, use = v["x"], v["y"], v["u"]
        z = 1.0 - x - y
        use = use * p_uu
        x = x + p_xy * y - p_zz * z
        y = y * p_yy
        use = use + self.value("U") * (1.0 - use)
        delta = use * x
        transmitted = delta * v["weight"]
        return {**v, "x": x - delta, "y": y + delta, "u": use}, transmitted, True


class tsodyks2_synapse(SynapseModel):  # noqa: N801 (NEST's name)
    """Tsodyks-Markram synapse in the form of Maass & Markram (2002): a spike
    transmits ``weight · u · x``; before each spike after the first (interval ``h``)

    .. math::

        x \\leftarrow 1 + (x - x u - 1) e^{-h/\\tau_{rec}}, \\qquad
        u \\leftarrow U + u (1 - U) e^{-h/\\tau_{fac}}

    (``τ_fac = 0``: no facilitation). The first spike uses the initial ``u`` and ``x``.

    ============  ========  ==========================================
    parameter     default   meaning
    ============  ========  ==========================================
    ``U``         0.5       utilisation increment
    ``tau_rec``   800 ms    recovery from depression
    ``tau_fac``   0 ms      decay of facilitation (0: none)
    ============  ========  ==========================================

    Connection variables: ``weight`` (1), ``u`` (0.5), ``x`` (1).
    Reference: Maass & Markram (2002), Neural Comput. 14:2531.

    >>> syn = tsodyks2_synapse(U=0.3)
    >>> _, w, _ = syn.on_pre({"weight": 10.0, "u": 0.3, "x": 1.0}, -1.0, 5.0, None, None)
    >>> round(float(w), 12)  # the first spike: weight * u * x
    3.0
    """

    U = Param(u.UNITLESS, bounds=(0.0, 1.0), per_neuron=False)
    tau_rec = Param(u.ms, positive=True, per_neuron=False)
    tau_fac = Param(u.ms, nonnegative=True, per_neuron=False)
    VARIABLES = {"u": 0.5, "x": 1.0}
    T_LAST = -1.0
    DEFAULTS = {"U": 0.5, "tau_rec": 800.0 * u.ms, "tau_fac": 0.0 * u.ms}

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _fractions(self, variables, ("u", "x"))

    def on_pre(self, v, t_last, t_spike, trace: PostTrace | None, rng: Any):  # noqa: ANN001, ANN201
        tau_rec, tau_fac, big_u = self.value("tau_rec"), self.value("tau_fac"), self.value("U")
        h = t_spike - t_last
        x_decay = jnp.exp(-h / tau_rec)
        u_decay = 0.0 if tau_fac == 0.0 else jnp.exp(-h / tau_fac)
        later = t_last >= 0.0
        x = jnp.where(later, 1.0 + (v["x"] - v["x"] * v["u"] - 1.0) * x_decay, v["x"])
        use = jnp.where(later, big_u + v["u"] * (1.0 - big_u) * u_decay, v["u"])
        return {**v, "x": x, "u": use}, x * use * v["weight"], True


class quantal_stp_synapse(SynapseModel):  # noqa: N801 (NEST's name)
    """Stochastic synapse with ``n`` release sites (Fuhrmann et al. 2002): between
    spikes each depleted site recovers with probability ``1 - e^{-h/τ_rec}`` and the
    release probability evolves as ``u ← U + u (1 - U) e^{-h/τ_fac}``; at a spike each
    of the ``a`` available sites releases with probability ``u``. A spike that releases
    ``k > 0`` sites transmits ``k · weight`` and leaves ``a - k`` available; a spike
    that releases none is not transmitted. The first spike uses the initial ``u``.

    ============  ========  ==========================================
    parameter     default   meaning
    ============  ========  ==========================================
    ``U``         0.5       utilisation increment
    ``tau_rec``   800 ms    recovery of a site
    ``tau_fac``   0 ms      decay of facilitation (0: none)
    ``n``         1         release sites per connection
    ============  ========  ==========================================

    Connection variables: ``weight`` (1), ``u`` (0.5), ``a`` (available sites, ``n``).
    Random numbers come from neurodyn's stream, so single trials differ from NEST's;
    the statistics are the same. Reference: Fuhrmann et al. (2002), J. Neurophysiol.
    87:140; Loebel et al. (2009), Front. Comput. Neurosci. 3:27.

    >>> import jax
    >>> syn = quantal_stp_synapse(U=1.0, n=3)
    >>> v, w, sent = syn.on_pre({"weight": 2.0, "u": 1.0, "a": 3.0}, -1.0, 5.0, None,
    ...                         jax.random.PRNGKey(0))
    >>> float(w), float(v["a"]), bool(sent)  # u = 1: every available site releases
    (6.0, 0.0, True)
    """

    U = Param(u.UNITLESS, bounds=(0.0, 1.0), per_neuron=False)
    tau_rec = Param(u.ms, positive=True, per_neuron=False)
    tau_fac = Param(u.ms, nonnegative=True, per_neuron=False)
    n = Param(u.UNITLESS, positive=True, per_neuron=False)
    VARIABLES = {"u": 0.5, "a": 1.0}
    T_LAST = -1.0
    DEFAULTS = {"U": 0.5, "tau_rec": 800.0 * u.ms, "tau_fac": 0.0 * u.ms, "n": 1}

    def check_parameters(self) -> None:
        super().check_parameters()
        n = self.__dict__.get("n")
        if n is not None and float(n) != int(float(n)):
            raise ParameterError(f"quantal_stp_synapse.n must be a whole number of sites, got {n}")

    def check_variables(self, variables: dict[str, Any]) -> None:
        super().check_variables(variables)
        _fractions(self, variables, ("u",))
        a = jnp.asarray(variables.get("a", 0.0))
        n = int(self.value("n"))
        if bool(jnp.any((a < 0) | (a > n) | (a != jnp.round(a)))):
            raise ParameterError(
                f"quantal_stp_synapse.a (available sites) must be a whole number in [0, n={n}]"
            )

    def on_pre(self, v, t_last, t_spike, trace: PostTrace | None, rng: Any):  # noqa: ANN001, ANN201
        tau_rec, tau_fac, big_u = self.value("tau_rec"), self.value("tau_fac"), self.value("U")
        n = int(self.value("n"))
        t_last = jnp.asarray(t_last)
        h = t_spike - t_last
        later = t_last >= 0.0
        p_decay = jnp.exp(-h / tau_rec)
        u_decay = 0.0 if tau_fac < 1.0e-10 else jnp.exp(-h / tau_fac)
        use = jnp.where(later, big_u + v["u"] * (1.0 - big_u) * u_decay, v["u"])
        shape = jnp.shape(use)
        draws = jax.random.uniform(rng, (2, *shape, n), dtype=jnp.result_type(use))
        site = jnp.arange(n)
        a = jnp.asarray(v["a"])
        depleted = (site < (n - a)[..., None]) & later[..., None]
        a = a + jnp.sum(depleted & (draws[0] < (1.0 - p_decay)[..., None]), axis=-1)
        released = jnp.sum((site < a[..., None]) & (draws[1] < use[..., None]), axis=-1)
        released = released.astype(use.dtype)
        return {**v, "u": use, "a": a - released}, released * v["weight"], released > 0


def _fractions(model: SynapseModel, variables: dict[str, Any], keys: tuple[str, ...]) -> None:
    for key in keys:
        if key in variables:
            value = jnp.asarray(variables[key])
            if bool(jnp.any((value < 0) | (value > 1))):
                raise ParameterError(f"{model.name}.{key} must lie in [0, 1], got {value!r}")
