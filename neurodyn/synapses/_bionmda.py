"""The biologically detailed NMDA receptor: transmitter pulses, a binding step, then opening."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..init import ZeroInit, initialize
from ._kinetic import PER_MM_MS, TransmitterPulses, relax, relax_area


class BioNMDA(TransmitterPulses):
    r"""NMDA receptor, two-step kinetics: transmitter binds (``x``), then channels open (``g``).

    .. math::

       \frac{dx}{dt} = \alpha_2\,[T](t)\,(1 - x) - \beta_2\,x,\qquad
       \frac{dg}{dt} = \alpha_1\,x\,(g_{max} - g) - \beta_1\,g

    Each presynaptic spike releases transmitter: :math:`[T]` rises by ``T`` for
    ``T_dur`` (pulses of overlapping spikes add up), as in :class:`AMPA`. ``x`` is
    the bound fraction, ``g`` the open conductance (Destexhe, Mainen & Sejnowski
    1994, J. Comput. Neurosci. 1:195, the NMDA scheme; the Mg\ :sup:`2+` block
    belongs to the output: use :class:`MgBlock`).

    Integration: between pulse edges ``x`` obeys a linear equation with constant
    coefficients and is integrated exactly (a pulse may end inside a step). ``g`` is
    advanced exactly for the step average :math:`\bar x` of that exact ``x``, which
    is exact without closing (:math:`\beta_1 \to 0`) and otherwise second-order
    accurate, keeps ``g`` in :math:`[0, g_{max}]` and is stable for any ``dt``.
    Spikes given to ``update`` arrive at the end of the step; an input of strength
    ``s`` releases ``s`` times ``T``.

    Units and projections as in :class:`AMPA`: ``g`` has the unit of
    ``g_initializer`` (default dimensionless: ``g`` is the open fraction, spikes are
    0/1 or bool) and saturates at ``g_max`` (default one unit of ``g``); an input
    ``w`` releases ``w / g_max`` times ``T``. In an :class:`~neurodyn.AlignPostProj`
    this is exact for one synapse per postsynaptic element (weight ``g_max``);
    :class:`~neurodyn.AlignPreProj` keeps one synapse per presynaptic neuron and is
    exact with any convergence.

    =================  ====================  ===========================================
    parameter          default               meaning
    =================  ====================  ===========================================
    ``alpha1``         2 /ms                 opening rate of ``g`` per bound fraction
    ``beta1``          0.01 /ms              closing rate of ``g``
    ``alpha2``         1 /(ms mM)            binding rate constant of ``x``
    ``beta2``          0.5 /ms               unbinding rate constant of ``x``
    ``T``              1 mM                  transmitter concentration during a pulse
    ``T_dur``          0.5 ms                pulse duration (>= 0)
    ``g_max``          1 unit of ``g``       saturation value of ``g``
    ``g_initializer``  ``ZeroInit()``        initial ``g`` (sets its unit)
    ``x_initializer``  ``ZeroInit()``        initial ``x`` (dimensionless, in [0, 1])
    =================  ====================  ===========================================

    States: ``g`` and ``x`` (:class:`HiddenState`); ``pulses`` (as :class:`AMPA`).

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> nmda = nd.synapses.BioNMDA(1)
    >>> _ = nd.init_all_states(nmda)
    >>> spike = jnp.zeros((1000, 1)).at[0].set(1.)  # one spike, then 100 ms of silence
    >>> g = nd.run(nmda, 100. * u.ms, inputs=spike, monitors={"g": nmda.g})["g"][:, 0]
    >>> int(g.argmax()), round(float(g.max()), 3)  # g peaks 6.8 ms after the spike
    (68, 0.754)
    """

    alpha1 = Param(u.kHz, positive=True)
    beta1 = Param(u.kHz, positive=True)
    alpha2 = Param(PER_MM_MS, positive=True)
    beta2 = Param(u.kHz, positive=True)

    def __init__(
        self,
        in_size: Any,
        alpha1: Any = 2.0 / u.ms,
        beta1: Any = 0.01 / u.ms,
        alpha2: Any = 1.0 / (u.ms * u.mM),
        beta2: Any = 0.5 / u.ms,
        T: Any = 1.0 * u.mM,
        T_dur: Any = 0.5 * u.ms,
        g_max: Any = None,
        g_initializer: Any = None,
        x_initializer: Any = None,
        name: str | None = None,
    ):
        super().__init__(in_size, g_max, g_initializer, name)
        self.alpha1 = alpha1
        self.beta1 = beta1
        self.alpha2 = alpha2
        self.beta2 = beta2
        self.T = T
        self.T_dur = T_dur
        self.x_initializer = x_initializer if x_initializer is not None else ZeroInit()

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        x = initialize(self.x_initializer, self.varshape, batch_size)
        if u.has_unit(x):
            raise ParameterError(
                f"{self.name}: x_initializer must give a dimensionless bound fraction, "
                f"got {u.describe(x)}"
            )
        self.x = HiddenState(x, name="x")

    def update(self, s: Any = None) -> Any:
        dt = environ.get_dt()
        first, rest, first_time = self.transmitter()
        x = self.x.value
        k_first, k_rest = self.alpha2 * first, self.alpha2 * rest
        area = relax_area(x, k_first, self.beta2, first_time)
        x = relax(x, k_first, self.beta2, first_time)
        area = area + relax_area(x, k_rest, self.beta2, dt - first_time)
        x = relax(x, k_rest, self.beta2, dt - first_time)
        fraction = self.g.value / self.saturation
        fraction = relax(fraction, self.alpha1 * (area / dt), self.beta1, dt)
        self.g.value = fraction * self.saturation
        self.x.value = x
        self.record_release(s)
        return self.g.value
