"""Single-exponential synapse."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core import environ
from ..core._params import Param
from ._base import Synapse


class Expon(Synapse):
    r"""Exponentially decaying synaptic variable.

    .. math::

       \frac{dg}{dt} = -\frac{g}{\tau} + \sum_k x_k\, \delta(t - t_k)

    integrated exactly: each step :math:`g \leftarrow g\, e^{-dt/\tau} + x`, so the
    response to one unit input at :math:`t=0` is :math:`g(t) = e^{-t/\tau}`
    (e.g. Dayan & Abbott, *Theoretical Neuroscience*, 2001, ch. 5.8).

    ==================  =================  ============================
    parameter           default            meaning
    ==================  =================  ============================
    ``tau``             8 ms               decay time constant
    ``g_initializer``   ``ZeroInit(mS)``   initial ``g`` (sets its unit)
    ==================  =================  ============================

    State: ``g`` (:class:`HiddenState`).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> syn = nd.Expon(1, tau=5. * u.ms)
    >>> _ = nd.init_all_states(syn)
    >>> syn(1. * u.mS)
    Quantity([1.], "mS")
    """

    tau = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 8.0 * u.ms,
        g_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(in_size, g_initializer, name)
        self.tau = tau

    def init_state(self, batch_size: int | None = None) -> None:
        self.g = self.new_variable("g", batch_size)

    def output(self) -> Any:
        return self.g.value

    def update(self, x: Any = None) -> Any:
        g = self.g.value * u.math.exp(-environ.get_dt() / self.tau)
        g = self.sum_delta_inputs(g if x is None else g + x)
        self.g.value = g
        return g
