"""Poisson rate coding of input values."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._module import Module
from ..devices._sampling import random_words


class PoissonEncoder(Module):
    r"""Spikes with the rates given at each step: Poisson rate coding of a value.

    In each step, element ``j`` spikes with probability

    .. math::

        p_j = \min(f_j\, dt,\; 1),

    independently of the other elements and steps (the Bernoulli approximation of a
    Poisson process of rate :math:`f_j`, valid while :math:`f_j\,dt \ll 1`). One
    uniform 32-bit word per element and step (a keyed hash, see
    ``neurodyn.devices._sampling.random_words``) is compared with :math:`p_j` at
    24-bit resolution; the key comes from the seeded stream :mod:`neurodyn.random`.

    No parameters: the rates are the argument of :meth:`update`, ``freqs`` (a
    frequency quantity of any shape, e.g. pixel intensities times a maximum rate).

    **Returns** of :meth:`update`: spikes as floats in {0, 1}, the shape of ``freqs``.

    Follows ``brainpy.state.PoissonEncoder``.

    >>> import jax.numpy as jnp
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> encoder = nd.inputs.PoissonEncoder()
    >>> spikes = encoder.update(jnp.array([0., 10000.]) * u.Hz)  # p = 0 and 1 at dt = 0.1 ms
    >>> spikes.tolist()
    [0.0, 1.0]
    """

    def update(self, freqs: Any) -> Any:
        dtype = environ.dftype()
        p = jnp.asarray(u.to_float(freqs * environ.get_dt(), u.UNITLESS), dtype)
        words = random_words(nd_random.split_key(), jnp.shape(p))
        uniform = (words >> 8).astype(dtype) * (2.0**-24)  # exact in float32
        return (uniform < p).astype(dtype)
