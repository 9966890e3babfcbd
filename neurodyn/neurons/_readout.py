"""Readouts: trainable, non-spiking output layers for networks trained by gradient."""

from __future__ import annotations

import math
from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import Param, size_tuple
from ..core._state import HiddenState, ParamState
from ..init import KaimingNormal, initialize


class LeakyRateReadout(Module):
    r"""Leaky integrator readout: each output unit low-pass filters weighted input.

    .. math::

       \frac{dr_j}{dt} = -\frac{r_j}{\tau} + \sum_k \sum_i x_i(t_k)\, W_{ij}\,
       \delta(t - t_k)

    with one input :math:`x(t_k)` per step (e.g. the spikes of a hidden layer),
    integrated exactly: each step :math:`r \leftarrow r\, e^{-dt/\tau} + x W`. A
    constant input :math:`x` from :math:`r = 0` gives after :math:`n` steps
    :math:`r_n = x W (1 - e^{-n\,dt/\tau}) / (1 - e^{-dt/\tau})`. The same update as
    ``brainpy.state.LeakyRateReadout``; the output is the usual logit of a spiking
    classifier (Zenke & Vogels 2021, *Neural Computation* 33(4)).

    ==============  ===================  ========================================
    parameter       default              meaning
    ==============  ===================  ========================================
    ``in_size``     (required)           input shape (the trailing axes of ``x``)
    ``out_size``    (required)           number (shape) of output units
    ``tau``         5 ms                 decay time constant (per output unit)
    ``w_init``      ``KaimingNormal()``  initial weights ``(n_in, n_out)``; their
                                         unit is the output's
    ==============  ===================  ========================================

    States: ``weight`` (:class:`ParamState`, trainable, ``(n_in, n_out)``), ``r``
    (:class:`HiddenState`, the output, shape ``out_size``).

    **Input** of :meth:`update`: ``x``, dimensionless (spikes or rates), of trailing
    shape ``in_size``. **Returns**: the new ``r``.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> readout = nd.neurons.LeakyRateReadout(2, 1, tau=1. * u.ms, w_init=jnp.ones((2, 1)))
    >>> _ = nd.init_all_states(readout)
    >>> for _ in range(3):
    ...     r = readout(jnp.array([1., 0.]))
    >>> r  # (1 - exp(-0.3)) / (1 - exp(-0.1))
    Array([2.7235...], dtype=float32)
    """

    tau = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        out_size: Any,
        tau: Any = 5.0 * u.ms,
        w_init: Any = None,
        name: str | None = None,
    ):
        super().__init__(name)
        self.in_size = size_tuple("in_size", in_size)
        self.out_size = size_tuple("out_size", out_size)
        self.tau = tau
        n_in, n_out = math.prod(self.in_size), math.prod(self.out_size)
        w_init = KaimingNormal() if w_init is None else w_init
        self.weight = ParamState(initialize(w_init, (n_in, n_out)), name="weight")

    @property
    def varshape(self) -> tuple[int, ...]:
        """The shape of the output ``r`` (without a batch axis)."""
        return self.out_size

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.out_size if batch_size is None else (batch_size, *self.out_size)
        zeros = jnp.zeros(shape, environ.dftype())
        self.r = HiddenState(u.with_unit(zeros, u.get_unit(self.weight.value)), name="r")

    def update(self, x: Any) -> Any:
        if u.has_unit(x):
            raise ParameterError(
                f"{self.name}: input x must be dimensionless (spikes or rates), got {u.describe(x)}"
            )
        k = len(self.in_size)
        shape = jnp.shape(x)
        if tuple(shape[len(shape) - k :]) != self.in_size:
            raise ParameterError(
                f"{self.name}: input x has shape {shape}, expected trailing shape {self.in_size}"
            )
        w = self.weight.value
        flat = jnp.reshape(jnp.asarray(x, u.magnitude(w).dtype), (*shape[: len(shape) - k], -1))
        drive = jnp.reshape(flat @ u.magnitude(w), (*shape[: len(shape) - k], *self.out_size))
        decay = u.math.exp(-environ.get_dt() / self.tau)
        self.r.value = self.r.value * decay + u.with_unit(drive, u.get_unit(w))
        return self.r.value
