"""Alpha-function synapse."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core import environ
from ..core._params import Param
from ._base import Synapse


class Alpha(Synapse):
    r"""Alpha-shaped synaptic variable, from a second-order linear system.

    .. math::

       \frac{dh}{dt} = -\frac{h}{\tau} + \sum_k x_k\,\delta(t - t_k),\qquad
       \frac{dg}{dt} = -\frac{g}{\tau} + \frac{h}{\tau}

    integrated exactly, :math:`h \leftarrow h\,e^{-dt/\tau} + x` and
    :math:`g \leftarrow (g + h\,dt/\tau)\,e^{-dt/\tau}`; one unit input at
    :math:`t = 0` gives :math:`g(t) = (t/\tau)\,e^{-t/\tau}`, peaking at
    :math:`t = \tau` with :math:`1/e` (Rall 1967, J. Neurophysiol. 30:1138).

    ==================  =================  ============================
    parameter           default            meaning
    ==================  =================  ============================
    ``tau``             8 ms               time constant (time to peak)
    ``g_initializer``   ``ZeroInit(mS)``   initial ``g`` and ``h`` (sets the unit)
    ==================  =================  ============================

    States: ``g`` and ``h`` (:class:`HiddenState`).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> syn = nd.Alpha(1, tau=5. * u.ms)
    >>> _ = nd.init_all_states(syn)
    >>> syn(1. * u.mS), syn()
    (Quantity([0.], "mS"), Quantity([0.0196...], "mS"))
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
        self.h = self.new_variable("h", batch_size)

    def output(self) -> Any:
        return self.g.value

    def update(self, x: Any = None) -> Any:
        dt = environ.get_dt()
        decay = u.math.exp(-dt / self.tau)
        h = self.h.value
        g = (self.g.value + h * (dt / self.tau)) * decay
        h = h * decay
        self.h.value = self.sum_delta_inputs(h if x is None else h + x)
        self.g.value = g
        return g
