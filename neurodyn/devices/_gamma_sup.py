"""NEST's ``gamma_sup_generator``: superimposed gamma processes, one population per target."""

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
from . import _nest_time as nt
from . import _sampling as sampling
from ._generator import Generator


class gamma_sup_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""The pooled spike train of ``n_proc`` independent gamma processes, independent for
    every target (NEST ``gamma_sup_generator``; Deger et al. 2011).

    A gamma process of shape ``k`` (``gamma_shape``) and rate ``rate`` passes through
    ``k`` stages, leaving each with rate ``k * rate``; it spikes when it leaves the last
    one. NEST simulates, per target, only the occupation numbers ``n_j`` of the ``k``
    stages (``models/gamma_sup_generator.cpp``): in every active step each stage loses
    :math:`\Delta_j \sim \mathrm{Binomial}(n_j, p)`, :math:`p = k\, \mathrm{rate}\, h`, to
    the next stage (the last one to the first), and the target receives
    :math:`\Delta_{k-1}` spikes. NEST replaces the binomial by a Poisson count of mean
    :math:`n_j p` (capped at :math:`n_j`) when :math:`n_j \ge 100,\ p \le 0.01` or
    :math:`n_j \ge 500,\ n_j p \le 0.1`; so does this device. The occupation starts at
    ``n_proc // k`` in every stage, the remainder in the last. Active steps (NEST spike
    generator): ``t_min + 1 <= i <= t_max``; inactive steps leave the occupation alone.

    The pooled train has rate ``n_proc * rate``; the Fano factor of counts in long
    windows tends to ``(1 - p) / k`` (the squared CV of one component's inter-spike
    intervals, a sum of ``k`` geometric waiting times), for any ``n_proc``.

    Sampling: for every target and stage one uniform 32-bit word against the survival
    table of its binomial (or Poisson) law, computed each step (``_sampling``);
    ``jax.random.binomial`` / ``poisson`` when ``n_proc`` and ``p`` make the table pass 64
    entries.

    =================  =======  ================================================
    parameter          default  meaning
    =================  =======  ================================================
    ``rate``           0 Hz     rate of each component process (``>= 0``)
    ``gamma_shape``    1        shape ``k`` of the components (whole, ``>= 1``)
    ``n_proc``         1        number of components per target (whole, ``>= 1``)
    ``start``          0 ms     activation time, relative to ``origin``
    ``stop``           inf ms   deactivation time, relative to ``origin``
    ``origin``         0 ms     offset of ``start`` and ``stop``
    =================  =======  ================================================

    State: ``occupation`` (int32, ``(n_targets, gamma_shape)``).

    **Returns** of :meth:`update`: the spike counts emitted in this step,
    ``(n_targets,)`` floats.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> g = devices.gamma_sup_generator(rate=50. * u.Hz, gamma_shape=3, n_proc=10)
    >>> g.bind(100)
    >>> _ = nd.init_all_states(g)
    >>> counts = nd.for_loop(g.update, length=1000, clock=g)
    >>> bool(abs(float(counts.mean()) / 0.05 - 1) < 0.05)  # n_proc * rate * dt = 0.05
    True
    >>> bool((g.occupation.value.sum(axis=1) == 10).all())  # processes are conserved
    True
    """

    kind = "spike"
    ACTIVITY_SHIFT = 0

    rate = Param(u.Hz, nonnegative=True, per_neuron=False)
    gamma_shape = Param(u.UNITLESS, per_neuron=False)
    n_proc = Param(u.UNITLESS, per_neuron=False)

    def __init__(
        self,
        rate: Any = 0.0 * u.Hz,
        gamma_shape: int = 1,
        n_proc: int = 1,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name, rate=rate,
            gamma_shape=gamma_shape, n_proc=n_proc,
        )  # fmt: skip

    def check_parameters(self) -> None:
        super().check_parameters()
        owner = type(self).__name__
        for name in ("gamma_shape", "n_proc"):
            if name in self.__dict__:
                value = float(self.__dict__[name])
                if value != round(value) or value < 1:
                    raise ParameterError(
                        f"{owner}.{name} must be a whole number >= 1, got {value:g}"
                    )
        if "rate" in self.__dict__ and "gamma_shape" in self.__dict__:
            self.transition_probability()

    def transition_probability(self) -> float:
        """``p = gamma_shape * rate * h``: the chance to leave a stage in one step."""
        p = int(self.gamma_shape) * float(nt.in_unit(self.rate, u.Hz)) * nt.dt_ms() / 1000.0
        if p > 1.0:
            raise ParameterError(
                f"{type(self).__name__}: gamma_shape * rate * dt must be <= 1 (a probability "
                f"per step), got {p:g}"
            )
        return p

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        k, n = int(self.gamma_shape), int(self.n_proc)
        start = np.full(k, n // k, dtype=np.int32)
        start[-1] += n - (n // k) * k
        occupation = jnp.broadcast_to(jnp.asarray(start), (*self.target_shape(), k))
        self.occupation = HiddenState(jnp.array(occupation), name="occupation")

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        p = self.transition_probability()
        n_proc = int(self.n_proc)
        occupation = self.occupation.value
        if occupation.shape[-1] != int(self.gamma_shape):
            raise ParameterError(
                f"{type(self).__name__}: gamma_shape changed after the states were created; "
                "call nd.init_all_states again"
            )
        key = nd_random.split_key()
        if p > 0:
            moved = _transitions(key, occupation, p, n_proc)
        else:
            moved = jnp.zeros_like(occupation)
        active = self.is_active(i)
        moved = jnp.where(active, moved, 0)
        self.occupation.value = occupation - moved + jnp.roll(moved, 1, axis=-1)
        return moved[..., -1].astype(dtype)


def _transitions(key: jax.Array, occupation: jax.Array, p: float, n_proc: int) -> jax.Array:
    """How many components leave each stage: NEST's binomial, or its Poisson stand-in."""
    mean = occupation * p
    poisson = ((occupation >= 100) & (p <= 0.01)) | ((occupation >= 500) & (mean <= 0.1))
    terms = sampling.binomial_terms(n_proc, p)
    if terms is None:
        key_b, key_p = jax.random.split(key)
        binomial = jax.random.binomial(key_b, occupation, p).astype(jnp.int32)
        stand_in = jax.random.poisson(key_p, mean).astype(jnp.int32)
        return jnp.where(poisson, jnp.minimum(stand_in, occupation), binomial)
    dtype = environ.dftype()
    k = jnp.arange(terms + 1)
    log_fact = jnp.asarray(sampling.log_factorials(max(n_proc, terms)), dtype)
    n = occupation[..., None]
    rest = jnp.maximum(n - k, 0)
    log_p, log_q = np.log(p), np.log1p(-p) if p < 1 else -np.inf
    log_binomial = log_fact[n] - log_fact[k] - log_fact[rest] + k * log_p
    log_binomial = log_binomial + jnp.where(rest > 0, rest * log_q, 0.0)
    log_binomial = jnp.where(k <= n, log_binomial, -jnp.inf)
    lam = mean.astype(dtype)[..., None]
    log_lam = jnp.log(jnp.where(lam > 0, lam, 1.0))
    log_poisson = jnp.where(
        lam > 0, k * log_lam - lam - log_fact[k], jnp.where(k == 0, 0.0, -jnp.inf)
    )
    log_pmf = jnp.where(poisson[..., None], log_poisson, log_binomial)
    thresholds = sampling.survival_thresholds(jnp.exp(log_pmf))
    counts = sampling.count_below(sampling.random_words(key, occupation.shape), thresholds)
    return jnp.minimum(counts, occupation)
