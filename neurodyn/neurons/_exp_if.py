"""Exponential integrate-and-fire neurons: ExpIF and its adaptive form, AdExIF."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._params import Param
from ..surrogate import Surrogate
from ._base import step_with_recovery
from ._lif import LIF
from ._refractory import Refractory


class AdaptationCurrent:
    r"""The adaptation current ``w`` of :class:`AdExIF` and :class:`AdQuaIF`, added to
    an integrate-and-fire membrane:

    .. math::

       \tau \frac{dV}{dt} = \ldots - R\, w, \qquad
       \tau_w \frac{dw}{dt} = a (V - V_{rest}) - w, \qquad w \leftarrow w + b
       \text{ at a spike.}

    Parameters ``tau_w``, ``a``, ``b`` and the initialiser ``w_initializer``, taken by
    name and set after the membrane's (the other arguments); state ``w``.
    """

    tau_w = Param(u.ms, positive=True)
    a = Param(u.nS)
    b = Param(u.pA)

    def __init__(
        self, *membrane: Any, tau_w: Any, a: Any, b: Any, w_initializer: Any, **by_name: Any
    ):
        super().__init__(*membrane, **by_name)
        self.set(tau_w=tau_w, a=a, b=b)
        self.w_initializer = w_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, w=u.pA)

    def dw(self, V: Any, w: Any) -> Any:
        """The adaptation equation, ``dw/dt``."""
        return (self.a * (V - self.V_rest) - w) / self.tau_w

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        return step_with_recovery(
            self, x, self.w,
            lambda V, w, I, t: self.dV(V, t, I - w),  # -R w + R I = R (I - w)
            lambda V, w, I: self.dw(V, w),
            self.V_reset, self.b,
        )  # fmt: skip


class ExpIF(LIF):
    r"""Exponential integrate-and-fire neuron (Fourcaud-Trocmé et al. 2003).

    .. math::

       \tau \frac{dV}{dt} = -(V - V_{rest})
           + \Delta_T \exp\left(\frac{V - V_T}{\Delta_T}\right) + R\, I(t)

    ``V_T`` is the soft threshold where the exponential spike current takes over and
    ``delta_T`` its sharpness; the upswing diverges, and ``V_th`` is the cut-off where
    it is declared a spike and ``V`` is reset. Above ``V_th`` the right-hand side is
    held at its value at ``V_th``, so a step that crosses the cut-off stays finite,
    and ``V`` is cut to ``V_th`` before the reset. For ``tau_ref`` after a spike ``V``
    is held where the reset left it.

    Each step, in order: (1) sum the input current, (2) integrate ``V`` over ``dt`` and
    add delta inputs, (3) keep ``V`` and drop the inputs while refractory, (4) detect
    spikes ``V >= V_th`` of non-refractory neurons, (5) reset, (6) start the
    refractory count of spiking neurons.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``tau``             10 ms          membrane time constant
    ``R``               1 ohm          membrane resistance
    ``V_rest``          -65 mV         resting potential
    ``V_reset``         -68 mV         reset potential (``< V_th``)
    ``V_th``            -30 mV         spike cut-off (``> V_T``)
    ``V_T``             -59.9 mV       soft threshold of the exponential term
    ``delta_T``         3.48 mV        spike slope factor (``> 0``)
    ``tau_ref``         0 ms           absolute refractory period
    ``V_initializer``   ``V_rest``     initial ``V``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V`` (membrane potential), ``refractory`` (steps left in the
    refractory period), ``spike`` (last step's spikes).

    Reference: N. Fourcaud-Trocmé, D. Hansel, C. van Vreeswijk, N. Brunel (2003),
    How spike generation mechanisms determine the neuronal response to fluctuating
    inputs, *J. Neurosci.* 23(37):11628-11640.

    >>> import jax.numpy as jnp
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.ExpIF(2, R=10. * u.Mohm, tau_ref=2. * u.ms)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: jnp.array([0.1, 1.]) * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> result["spike"].sum(axis=0)  # below and above rheobase (0.162 nA)
    Array([0., 5.], dtype=float32)
    """

    clip_at_threshold = True

    ORDERED = (("V_T", "V_th"),)
    V_T = Param(u.mV)
    delta_T = Param(u.mV, positive=True)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 10.0 * u.ms,
        R: Any = 1.0 * u.ohm,
        V_rest: Any = -65.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_th: Any = -30.0 * u.mV,
        V_T: Any = -59.9 * u.mV,
        delta_T: Any = 3.48 * u.mV,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(
            in_size, tau=tau, R=R, V_rest=V_rest, V_th=V_th, V_reset=V_reset,
            tau_ref=tau_ref, V_initializer=V_initializer, spk_fun=spk_fun,
            spk_reset=spk_reset, method=method, name=name,
        )  # fmt: skip
        self.V_T = V_T
        self.delta_T = delta_T

    def dV(self, V: Any, t: Any, I: Any) -> Any:
        """The membrane equation, ``dV/dt`` (held at its ``V_th`` value above ``V_th``)."""
        V = u.math.minimum(V, self.V_th)
        spike_current = self.delta_T * u.math.exp((V - self.V_T) / self.delta_T)
        return (-(V - self.V_rest) + spike_current + self.R * I) / self.tau


class AdExIF(AdaptationCurrent, ExpIF):
    r"""Adaptive exponential integrate-and-fire neuron (Brette & Gerstner 2005).

    :class:`ExpIF` with an adaptation current ``w``:

    .. math::

       \tau \frac{dV}{dt} &= -(V - V_{rest})
           + \Delta_T \exp\left(\frac{V - V_T}{\Delta_T}\right) - R\, w + R\, I(t) \\
       \tau_w \frac{dw}{dt} &= a (V - V_{rest}) - w

    When ``V`` reaches the cut-off ``V_th`` the neuron spikes, ``V`` is reset and
    ``w`` jumps by ``b``. With ``tau = C / g_L`` and ``R = 1 / g_L`` these are the
    equations of Brette & Gerstner (``V_th`` their ``V_peak``, ``V_rest`` their
    ``E_L``). For ``tau_ref`` after a spike ``V`` is held (``dV/dt = 0``) while ``w``
    goes on evolving. The cut-off is handled as in :class:`ExpIF` (same caveat on
    exponential-Euler gradients with a far cut-off).

    Each step, in order: (1) sum the input current, (2) integrate ``V`` and ``w`` over
    ``dt`` (``V`` frozen while refractory) and add delta inputs to free neurons,
    (3) detect spikes ``V >= V_th`` of non-refractory neurons, (4) reset ``V`` and add
    ``b`` to ``w`` of spiking neurons, (5) start their refractory count.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``tau``             10 ms          membrane time constant
    ``R``               1 ohm          membrane resistance
    ``tau_w``           30 ms          adaptation time constant
    ``a``               1 S            subthreshold adaptation coupling
    ``b``               1 mA           spike-triggered adaptation increment
    ``V_rest``          -65 mV         resting potential
    ``V_reset``         -68 mV         reset potential (``< V_th``)
    ``V_th``            -55 mV         spike cut-off (``> V_T``)
    ``V_T``             -59.9 mV       soft threshold of the exponential term
    ``delta_T``         3.48 mV        spike slope factor (``> 0``)
    ``tau_ref``         0 ms           absolute refractory period
    ``V_initializer``   ``V_rest``     initial ``V``
    ``w_initializer``   0 pA           initial ``w``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V`` (membrane potential), ``w`` (adaptation current), ``refractory``,
    ``spike``.

    Reference: R. Brette, W. Gerstner (2005), Adaptive exponential integrate-and-fire
    model as an effective description of neuronal activity, *J. Neurophysiol.*
    94(5):3637-3642.

    >>> import numpy as np
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.AdExIF(1, tau=9.37 * u.ms, R=33.3 * u.Mohm, tau_w=144. * u.ms,
    ...                    a=4. * u.nS, b=80.5 * u.pA, V_rest=-70.6 * u.mV,
    ...                    V_reset=-70.6 * u.mV, V_T=-50.4 * u.mV, delta_T=2. * u.mV,
    ...                    V_th=0. * u.mV)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: 1. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> isis = np.diff(np.flatnonzero(result["spike"][:, 0])) * 0.1  # ms, lengthening
    >>> bool(isis[-1] > 2 * isis[0])
    True
    """

    def __init__(
        self,
        in_size: Any,
        tau: Any = 10.0 * u.ms,
        R: Any = 1.0 * u.ohm,
        tau_w: Any = 30.0 * u.ms,
        a: Any = 1.0 * u.siemens,
        b: Any = 1.0 * u.mA,
        V_rest: Any = -65.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_th: Any = -55.0 * u.mV,
        V_T: Any = -59.9 * u.mV,
        delta_T: Any = 3.48 * u.mV,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = None,
        w_initializer: Any = 0.0 * u.pA,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(
            in_size, tau=tau, R=R, V_rest=V_rest, V_reset=V_reset, V_th=V_th, V_T=V_T,
            delta_T=delta_T, tau_ref=tau_ref, V_initializer=V_initializer, spk_fun=spk_fun,
            spk_reset=spk_reset, method=method, name=name, tau_w=tau_w, a=a, b=b,
            w_initializer=w_initializer,
        )  # fmt: skip


class ExpIFRef(Refractory, ExpIF):
    r""":class:`ExpIF` with brainpy.state's refractory period (:class:`Refractory`).

    .. math::

       \tau \frac{dV}{dt} = -(V - V_{rest})
           + \Delta_T \exp\left(\frac{V - V_T}{\Delta_T}\right) + R\, I(t)

    When ``V`` reaches the cut-off ``V_th`` the neuron spikes, ``V`` is reset and held
    there for ``tau_ref``; the spike time is kept in ``last_spike_time``. The update is
    :class:`ExpIF`'s, then :class:`Refractory`'s steps.

    Parameters: those of :class:`ExpIF` (same defaults) with ``tau_ref`` = 1.7 ms and
    ``ref_var`` (``False``; brainpy.state's switch, ``refractory`` is kept anyway).

    States: ``V``, ``refractory``, ``last_spike_time``, ``spike``.

    Reference: N. Fourcaud-Trocmé, D. Hansel, C. van Vreeswijk, N. Brunel (2003),
    How spike generation mechanisms determine the neuronal response to fluctuating
    inputs, *J. Neurosci.* 23(37):11628-11640.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.ExpIFRef(1, R=10. * u.Mohm, tau_ref=5. * u.ms)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: 3. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # ExpIF fires 16 times without the refractory period
    9
    """


class AdExIFRef(Refractory, AdExIF):
    r""":class:`AdExIF` with brainpy.state's refractory period (:class:`Refractory`).

    .. math::

       \tau \frac{dV}{dt} &= -(V - V_{rest})
           + \Delta_T \exp\left(\frac{V - V_T}{\Delta_T}\right) - R\, w + R\, I(t) \\
       \tau_w \frac{dw}{dt} &= a (V - V_{rest}) - w

    At the cut-off ``V_th`` the neuron spikes, ``V`` is reset and ``w`` jumps by ``b``;
    for ``tau_ref`` both are held at those values (:class:`AdExIF` alone lets ``w``
    evolve), and the spike time is kept in ``last_spike_time``.

    Parameters: those of :class:`AdExIF` (same defaults) with ``tau_ref`` = 1.7 ms and
    ``ref_var`` (``False``; brainpy.state's switch, ``refractory`` is kept anyway).

    States: ``V``, ``w``, ``refractory``, ``last_spike_time``, ``spike``.

    Reference: R. Brette, W. Gerstner (2005), Adaptive exponential integrate-and-fire
    model as an effective description of neuronal activity, *J. Neurophysiol.*
    94(5):3637-3642.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.AdExIFRef(1, tau=9.37 * u.ms, R=33.3 * u.Mohm, tau_w=144. * u.ms,
    ...                       a=4. * u.nS, b=80.5 * u.pA, V_rest=-70.6 * u.mV,
    ...                       V_reset=-70.6 * u.mV, V_T=-50.4 * u.mV, delta_T=2. * u.mV,
    ...                       V_th=0. * u.mV, tau_ref=2. * u.ms)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: 1. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())
    8
    """
