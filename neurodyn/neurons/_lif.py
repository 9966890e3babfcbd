"""Leaky integrate-and-fire neurons."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..init import Constant
from ..integrators import check_method, integrate
from ..surrogate import Surrogate
from ._base import Neuron, check_current, hard_or_soft_reset, next_refractory, refractory_counter
from ._refractory import Refractory


class LIF(Neuron):
    r"""Leaky integrate-and-fire neuron with an absolute refractory period.

    .. math::

       \tau \frac{dV}{dt} = -(V - V_{rest}) + R\, I(t)

    When :math:`V \ge V_{th}` the neuron spikes and ``V`` is reset; for ``tau_ref``
    after a spike ``V`` is held where the reset left it
    (``V_reset`` with the default hard reset) (Lapicque 1907; Gerstner et al.,
    *Neuronal Dynamics*, 2014, ch. 1.3).

    Each step, in order: (1) sum the input current, (2) integrate ``V`` over ``dt`` and
    add delta inputs, (3) keep ``V`` (at ``V_reset`` after a hard reset) and drop
    the inputs while refractory, (4) detect spikes ``V >= V_th`` of non-refractory
    neurons, (5) reset, (6) start the refractory count of spiking neurons.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``tau``             5 ms           membrane time constant
    ``R``               1 ohm          membrane resistance
    ``V_rest``          0 mV           resting potential
    ``V_th``            1 mV           spike threshold
    ``V_reset``         ``V_rest``     reset potential (``< V_th``)
    ``tau_ref``         0 ms           absolute refractory period
    ``V_initializer``   ``V_rest``     initial ``V``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V`` (membrane potential), ``refractory`` (steps left in the
    refractory period), ``spike`` (last step's spikes).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> lif = nd.LIF(3, tau=10. * u.ms, V_th=-50. * u.mV, V_reset=-65. * u.mV,
    ...              V_rest=-65. * u.mV, R=1. * u.Mohm, tau_ref=2. * u.ms)
    >>> _ = nd.init_all_states(lif)
    >>> lif(20. * u.nA).shape
    (3,)
    """

    #: Cut ``V`` to ``V_th`` before the reset (models whose upswing diverges).
    clip_at_threshold = False

    ORDERED = (("V_reset", "V_th"),)
    tau = Param(u.ms, positive=True)
    R = Param(u.ohm, positive=True)
    V_rest = Param(u.mV)
    V_th = Param(u.mV)
    V_reset = Param(u.mV)
    tau_ref = Param(u.ms, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 5.0 * u.ms,
        R: Any = 1.0 * u.ohm,
        V_rest: Any = 0.0 * u.mV,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = None,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.tau = tau
        self.R = R
        self.V_rest = V_rest
        self.V_th = V_th
        self.V_reset = V_reset if V_reset is not None else V_rest
        self.tau_ref = tau_ref
        self.V_initializer = V_initializer if V_initializer is not None else Constant(V_rest)
        self.method = check_method(method)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, V=u.mV)
        self.refractory = refractory_counter(self.V.value)

    def dV(self, V: Any, t: Any, I: Any) -> Any:
        """The membrane equation, ``dV/dt``."""
        return (-(V - self.V_rest) + self.R * I) / self.tau

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        check_current(self.name, x)
        V = self.V.value
        refractory = self.refractory.value
        V_free = integrate(
            lambda v, t: self.dV(v, t, self.sum_current_inputs(x, v)),
            V,
            environ.get("t"),
            environ.get_dt(),
            method=self.method,
        )
        V_free = self.sum_delta_inputs(V_free)
        free = refractory == 0
        V = u.math.where(free, V_free, V)
        spike = self.spk_fun(u.magnitude((V - self.V_th) / (self.V_th - self.V_reset))) * free
        if self.clip_at_threshold:
            V = u.math.minimum(V, self.V_th)
        self.V.value = hard_or_soft_reset(V, spike, self.V_th, self.V_reset, self.spk_reset)
        self.refractory.value = next_refractory(refractory, spike, self.tau_ref)
        self.spike.value = spike
        return spike


class IF(LIF):
    r"""Integrate-and-fire neuron with its rest and reset at 0 mV (brainpy.state's IF).

    .. math::

       \tau \frac{dV}{dt} = -V + R\, I(t)

    When :math:`V \ge V_{th}` the neuron spikes and ``V`` is reset to ``V_reset`` (0 mV,
    brainpy.state's fixed reset; a soft reset subtracts ``V_th - V_reset``). This is
    :class:`LIF` with ``V_rest = 0 mV`` and no refractory period; the update is LIF's
    (Lapicque 1907; Abbott 1999).

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``R``               1 ohm          membrane resistance
    ``tau``             5 ms           membrane time constant
    ``V_th``            1 mV           spike threshold
    ``V_reset``         0 mV           reset potential (``< V_th``)
    ``V_initializer``   0 mV           initial ``V``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V`` (membrane potential), ``refractory`` (always 0), ``spike``.

    References: L. Lapicque (1907), Recherches quantitatives sur l'excitation
    électrique des nerfs traitée comme une polarisation, *J. Physiol. Pathol. Gén.*
    9:620-635; L. F. Abbott (1999), Lapicque's introduction of the integrate-and-fire
    model neuron (1907), *Brain Res. Bull.* 50(5-6):303-304.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.IF(1, tau=10. * u.ms, R=1. * u.Mohm, V_th=10. * u.mV)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: 20. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # period 10 ms * ln 2 = 6.9 ms, on the 0.1 ms grid
    14
    """

    def __init__(
        self,
        in_size: Any,
        R: Any = 1.0 * u.ohm,
        tau: Any = 5.0 * u.ms,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = 0.0 * u.mV,
        V_initializer: Any = 0.0 * u.mV,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(
            in_size, tau=tau, R=R, V_rest=0.0 * u.mV, V_th=V_th, V_reset=V_reset,
            V_initializer=V_initializer, spk_fun=spk_fun, spk_reset=spk_reset,
            method=method, name=name,
        )  # fmt: skip


class LIFRef(Refractory, LIF):
    r""":class:`LIF` with brainpy.state's refractory period (:class:`Refractory`).

    .. math::

       \tau \frac{dV}{dt} = -(V - V_{rest}) + R\, I(t)

    When :math:`V \ge V_{th}` the neuron spikes, ``V`` is reset and held there for
    ``tau_ref`` (rounded up to whole steps), whatever the input; the time of the spike
    is kept in ``last_spike_time`` (Gerstner et al., *Neuronal Dynamics*, 2014, ch. 1.3).

    Each step, in order: (1) sum the input current, (2) integrate ``V`` over ``dt`` and
    add delta inputs, (3) keep ``V`` while refractory, (4) detect spikes ``V >= V_th``
    of non-refractory neurons, (5) reset, (6) start the refractory count and record the
    spike time of spiking neurons.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``tau``             5 ms           membrane time constant
    ``R``               1 ohm          membrane resistance
    ``V_rest``          0 mV           resting potential
    ``V_th``            1 mV           spike threshold
    ``V_reset``         ``V_rest``     reset potential (``< V_th``)
    ``tau_ref``         5 ms           absolute refractory period
    ``ref_var``         ``False``      brainpy.state's switch; ``refractory`` is kept anyway
    ``V_initializer``   ``V_rest``     initial ``V``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V``, ``refractory`` (steps left in the refractory period),
    ``last_spike_time``, ``spike``.

    Reference: W. Gerstner, W. M. Kistler, R. Naud, L. Paninski (2014), *Neuronal
    Dynamics*, Cambridge University Press.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.LIFRef(1, tau=10. * u.ms, R=1. * u.Mohm, V_th=10. * u.mV)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: 20. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # period 6.9 ms + 5 ms refractory
    8
    """

    default_tau_ref = 5.0 * u.ms
