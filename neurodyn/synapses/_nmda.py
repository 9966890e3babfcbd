"""NMDA receptor gating with a fast rise variable and a slow saturating decay."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..core._state import HiddenState
from ..init import ZeroInit, initialize
from ._kinetic import SaturatingSynapse, relax


class NMDA(SaturatingSynapse):
    r"""NMDA gating: spikes drive a rise variable ``x`` that opens the saturating gate ``g``.

    .. math::

       \frac{dx}{dt} = -\frac{x}{\tau_{rise}} + \sum_k s_k\,\delta(t - t_k),\qquad
       \frac{dg}{dt} = \alpha\,x\,(g_{max} - g) - \frac{g}{\tau_{decay}}

    (Wang 1999, J. Neurosci. 19:9587; Brunel & Wang 2001, J. Comput. Neurosci.
    11:63). ``x`` is integrated exactly. Over a step ``g`` obeys a linear equation
    whose coefficient :math:`\alpha x(t)` varies; it is advanced exactly for the
    step average :math:`\bar x = x\,\tau_{rise}(1 - e^{-dt/\tau_{rise}})/dt`, which
    is exact without the decay term (:math:`1/\tau_{decay} \to 0`) and otherwise
    second-order accurate, keeps ``g`` in :math:`[0, g_{max}]` and is stable for any
    ``dt``. Spikes given to ``update`` arrive at the end of the step. The voltage
    dependence (Mg\ :sup:`2+` block) belongs to the output: use :class:`MgBlock`.

    Units and projections as in :class:`AMPA`: ``g`` has the unit of
    ``g_initializer`` (default dimensionless, spikes 0/1 or bool) and saturates at
    ``g_max`` (default one unit of ``g``); an input ``w`` adds ``w / g_max`` to ``x``.
    In an :class:`~neurodyn.AlignPostProj` this is exact for one synapse per
    postsynaptic element (weight ``g_max``) and, with converging synapses, while
    ``g`` stays well below ``g_max``.

    =================  ====================  ===========================================
    parameter          default               meaning
    =================  ====================  ===========================================
    ``alpha``          0.5 /ms               coupling of ``x`` to the opening of ``g``
    ``tau_rise``       2 ms                  decay time constant of ``x``
    ``tau_decay``      100 ms                closing time constant of ``g``
    ``g_max``          1 unit of ``g``       saturation value of ``g``
    ``g_initializer``  ``ZeroInit()``        initial ``g`` (sets its unit)
    =================  ====================  ===========================================

    States: ``g`` and ``x`` (dimensionless), :class:`HiddenState`.

    >>> import neurodyn as nd
    >>> nmda = nd.NMDA(1)
    >>> _ = nd.init_all_states(nmda)
    >>> nmda(True), nmda()  # x jumps to 1 at the end of the first step, then opens g
    (Array([0.], dtype=float32), Array([0.04757...], dtype=float32))
    """

    alpha = Param(u.kHz, positive=True)
    tau_rise = Param(u.ms, positive=True)
    tau_decay = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        alpha: Any = 0.5 / u.ms,
        tau_rise: Any = 2.0 * u.ms,
        tau_decay: Any = 100.0 * u.ms,
        g_max: Any = None,
        g_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(in_size, g_max, g_initializer, name)
        self.alpha = alpha
        self.tau_rise = tau_rise
        self.tau_decay = tau_decay

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.x = HiddenState(initialize(ZeroInit(), self.varshape, batch_size), name="x")

    def update(self, s: Any = None) -> Any:
        dt = environ.get_dt()
        x = self.x.value
        decay = u.math.exp(-dt / self.tau_rise)
        x_mean = x * (self.tau_rise / dt) * (1.0 - decay)
        fraction = relax(
            self.g.value / self.saturation, self.alpha * x_mean, 1.0 / self.tau_decay, dt
        )
        self.g.value = fraction * self.saturation
        self.x.value = x * decay + self.release_strength(s)
        return self.g.value
