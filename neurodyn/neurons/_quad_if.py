"""Quadratic integrate-and-fire neurons: QuaIF and the Izhikevich model."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._params import Param
from ..core._state import HiddenState
from ..integrators import check_method
from ..surrogate import Surrogate
from ._base import Neuron, refractory_counter, step_with_recovery
from ._exp_if import AdaptationCurrent
from ._lif import LIF
from ._refractory import Refractory


class QuaIF(LIF):
    r"""Quadratic integrate-and-fire neuron (Latham et al. 2000; Ermentrout 1996).

    .. math::

       \tau \frac{dV}{dt} = c\,(V - V_{rest})(V - V_c) + R\, I(t)

    Without input ``V_rest`` is the stable and ``V_c`` the unstable fixed point; above
    the rheobase :math:`c\,(V_c - V_{rest})^2 / (4R)` the upswing diverges in finite
    time, and ``V_th`` is the cut-off where it is declared a spike and ``V`` is reset.
    Above ``V_th`` the right-hand side is held at its value at ``V_th`` and ``V`` is cut
    to ``V_th`` before the reset. For ``tau_ref`` after a spike ``V`` is held where the
    reset left it.

    Each step, in order: (1) sum the input current, (2) integrate ``V`` over ``dt`` and
    add delta inputs, (3) keep ``V`` and drop the inputs while refractory, (4) detect
    spikes ``V >= V_th`` of non-refractory neurons, (5) reset, (6) start the
    refractory count of spiking neurons.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``tau``             10 ms          membrane time constant
    ``R``               1 ohm          membrane resistance
    ``c``               0.07 / mV      curvature of the quadratic (``> 0``)
    ``V_rest``          -65 mV         resting potential (``< V_c``)
    ``V_c``             -50 mV         critical voltage (``< V_th``)
    ``V_reset``         -68 mV         reset potential (``< V_th``)
    ``V_th``            -30 mV         spike cut-off
    ``tau_ref``         0 ms           absolute refractory period
    ``V_initializer``   ``V_rest``     initial ``V``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V`` (membrane potential), ``refractory`` (steps left in the
    refractory period), ``spike`` (last step's spikes).

    References: P. E. Latham, B. J. Richmond, P. G. Nelson, S. Nirenberg (2000),
    Intrinsic dynamics in neuronal networks. I. Theory, *J. Neurophysiol.*
    83(2):808-827; G. B. Ermentrout (1996), Type I membranes, phase resetting
    curves, and synchrony, *Neural Comput.* 8(5):979-1001.

    >>> import jax.numpy as jnp
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.QuaIF(2, R=10. * u.Mohm)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: jnp.array([0.3, 1.]) * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> result["spike"].sum(axis=0)  # below and above rheobase (0.394 nA)
    Array([0., 3.], dtype=float32)
    """

    clip_at_threshold = True

    ORDERED = (("V_rest", "V_c"), ("V_c", "V_th"))
    c = Param(u.mV**-1, positive=True)
    V_c = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 10.0 * u.ms,
        R: Any = 1.0 * u.ohm,
        c: Any = 0.07 / u.mV,
        V_rest: Any = -65.0 * u.mV,
        V_c: Any = -50.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_th: Any = -30.0 * u.mV,
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
        self.c = c
        self.V_c = V_c

    def dV(self, V: Any, t: Any, I: Any) -> Any:
        """The membrane equation, ``dV/dt`` (held at its ``V_th`` value above ``V_th``)."""
        V = u.math.minimum(V, self.V_th)
        return (self.c * (V - self.V_rest) * (V - self.V_c) + self.R * I) / self.tau


class Izhikevich(Neuron):
    r"""Izhikevich's simple model of spiking neurons (Izhikevich 2003).

    .. math::

       \frac{dV}{dt} &= 0.04\, V^2 + 5\, V + 140 - u + \frac{I(t)}{C} \\
       \frac{du}{dt} &= a\,(b\, V - u)

    with ``V`` in mV and ``t`` in ms in the quadratic (the paper's units); ``u`` is a
    recovery variable in mV/ms. The paper's dimensionless input ``I`` is the current
    over a capacitance ``C``: with the default ``C = 1 pF`` an input of 10 pA is the
    paper's ``I = 10``. When ``V`` reaches the cut-off ``V_th`` the neuron spikes,
    ``V`` is reset to ``c`` and ``u`` jumps by ``d``. Above ``V_th`` the right-hand side
    of ``dV/dt`` is held at its value at ``V_th`` and ``V`` is cut to ``V_th`` before
    the reset. For ``tau_ref`` after a spike ``V`` is held (``dV/dt = 0``) while ``u``
    goes on evolving.

    Each step, in order: (1) sum the input current, (2) integrate ``V`` and ``u`` over
    ``dt`` (``V`` frozen while refractory) and add delta inputs to free neurons,
    (3) detect spikes ``V >= V_th`` of non-refractory neurons, (4) reset ``V`` to ``c``
    and add ``d`` to ``u`` of spiking neurons, (5) start their refractory count.

    ==================  ==============  =====================================
    parameter           default         meaning
    ==================  ==============  =====================================
    ``a``               0.02 / ms       recovery rate (``> 0``)
    ``b``               0.2 / ms        sensitivity of ``u`` to ``V``
    ``c``               -65 mV          reset potential (``< V_th``)
    ``d``               8 mV/ms         spike-triggered jump of ``u``
    ``V_th``            30 mV           spike cut-off (the spike peak)
    ``C``               1 pF            capacitance scaling the input current
    ``tau_ref``         0 ms            absolute refractory period
    ``V_initializer``   -65 mV          initial ``V``
    ``u_initializer``   ``b V(0)``      initial ``u`` (as in the paper's code)
    ``spk_fun``         ReluGrad()      surrogate spike function
    ``spk_reset``       ``'hard'``      reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler       integrator
    ==================  ==============  =====================================

    The default ``a, b, c, d`` make a regular-spiking cortical cell; the paper's
    Fig. 2 lists other classes (e.g. fast spiking: ``a = 0.1 / ms``; chattering:
    ``c = -50 mV, d = 2 mV/ms``).

    States: ``V`` (membrane potential), ``u`` (recovery variable), ``refractory``,
    ``spike``.

    Reference: E. M. Izhikevich (2003), Simple model of spiking neurons, *IEEE Trans.
    Neural Netw.* 14(6):1569-1572.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.Izhikevich(1)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: 10. * u.pA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # the paper's regular spiking at I = 10
    5
    """

    #: Coefficients of the paper's quadratic, ``0.04 V^2 + 5 V + 140`` (V in mV, per ms).
    quadratic = (0.04, 5.0, 140.0)

    ORDERED = (("c", "V_th"),)
    a = Param(u.ms**-1, positive=True)
    b = Param(u.ms**-1)
    c = Param(u.mV)
    d = Param(u.mV / u.ms)
    V_th = Param(u.mV)
    C = Param(u.pF, positive=True)
    tau_ref = Param(u.ms, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        a: Any = 0.02 / u.ms,
        b: Any = 0.2 / u.ms,
        c: Any = -65.0 * u.mV,
        d: Any = 8.0 * u.mV / u.ms,
        V_th: Any = 30.0 * u.mV,
        C: Any = 1.0 * u.pF,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = -65.0 * u.mV,
        u_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.set(a=a, b=b, c=c, d=d, V_th=V_th, C=C, tau_ref=tau_ref)
        self.V_initializer = V_initializer
        self.u_initializer = u_initializer
        self.method = check_method(method)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, V=u.mV)
        if self.u_initializer is None:
            self.u = HiddenState(self.b * self.V.value, name="u")
        else:
            self.init_hidden(batch_size, u=u.mV / u.ms)
        self.refractory = refractory_counter(self.V.value)

    def dV(self, V: Any, recovery: Any, I: Any) -> Any:
        """The membrane equation, ``dV/dt`` (held at its ``V_th`` value above ``V_th``)."""
        v = u.to_float(u.math.minimum(V, self.V_th), u.mV)
        k2, k1, k0 = self.quadratic
        return (k2 * v * v + k1 * v + k0) * (u.mV / u.ms) - recovery + I / self.C

    def du(self, V: Any, recovery: Any) -> Any:
        """The recovery equation, ``du/dt``."""
        return self.a * (self.b * V - recovery)

    def spike_argument(self, V: Any) -> Any:
        """``(V - V_th) / (V_th - c)``: the distance to the peak, scaled by the reset depth."""
        return u.magnitude((V - self.V_th) / (self.V_th - self.c))

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        return step_with_recovery(
            self, x, self.u,
            lambda V, recovery, I, t: self.dV(V, recovery, I),
            lambda V, recovery, I: self.du(V, recovery),
            self.c, self.d,
        )  # fmt: skip


class AdQuaIF(AdaptationCurrent, QuaIF):
    r"""Adaptive quadratic integrate-and-fire neuron (Izhikevich 2004; Touboul 2008).

    :class:`QuaIF` with an adaptation current ``w``:

    .. math::

       \tau \frac{dV}{dt} &= c\,(V - V_{rest})(V - V_c) - R\, w + R\, I(t) \\
       \tau_w \frac{dw}{dt} &= a (V - V_{rest}) - w

    When ``V`` reaches the cut-off ``V_th`` the neuron spikes, ``V`` is reset and ``w``
    jumps by ``b``. The cut-off is handled as in :class:`QuaIF`; for ``tau_ref`` after a
    spike ``V`` is held while ``w`` goes on evolving.

    Each step, in order: (1) sum the input current, (2) integrate ``V`` and ``w`` over
    ``dt`` (``V`` frozen while refractory) and add delta inputs to free neurons,
    (3) detect spikes ``V >= V_th`` of non-refractory neurons, (4) reset ``V`` and add
    ``b`` to ``w`` of spiking neurons, (5) start their refractory count.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``tau``             10 ms          membrane time constant
    ``R``               1 ohm          membrane resistance
    ``tau_w``           10 ms          adaptation time constant
    ``a``               1 S            subthreshold adaptation coupling
    ``b``               0.1 mA         spike-triggered adaptation increment
    ``c``               0.07 / mV      curvature of the quadratic (``> 0``)
    ``V_rest``          -65 mV         resting potential (``< V_c``)
    ``V_c``             -50 mV         critical voltage (``< V_th``)
    ``V_reset``         -68 mV         reset potential (``< V_th``)
    ``V_th``            -30 mV         spike cut-off
    ``tau_ref``         0 ms           absolute refractory period
    ``V_initializer``   ``V_rest``     initial ``V``
    ``w_initializer``   0 pA           initial ``w``
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V`` (membrane potential), ``w`` (adaptation current), ``refractory``,
    ``spike``.

    References: E. M. Izhikevich (2004), Which model to use for cortical spiking
    neurons?, *IEEE Trans. Neural Netw.* 15(5):1063-1070; J. Touboul (2008), Bifurcation
    analysis of a general class of nonlinear integrate-and-fire neurons, *SIAM J. Appl.
    Math.* 68(4):1045-1079.

    >>> import numpy as np
    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.AdQuaIF(1, R=10. * u.Mohm, tau_w=100. * u.ms, a=0. * u.nS,
    ...                     b=0.5 * u.nA)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: 2. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> isis = np.diff(np.flatnonzero(result["spike"][:, 0])) * 0.1  # ms, lengthening
    >>> bool(isis[-1] > 1.5 * isis[0])
    True
    """

    def __init__(
        self,
        in_size: Any,
        tau: Any = 10.0 * u.ms,
        R: Any = 1.0 * u.ohm,
        tau_w: Any = 10.0 * u.ms,
        a: Any = 1.0 * u.siemens,
        b: Any = 0.1 * u.mA,
        c: Any = 0.07 / u.mV,
        V_rest: Any = -65.0 * u.mV,
        V_c: Any = -50.0 * u.mV,
        V_reset: Any = -68.0 * u.mV,
        V_th: Any = -30.0 * u.mV,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = None,
        w_initializer: Any = 0.0 * u.pA,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(
            in_size, tau=tau, R=R, c=c, V_rest=V_rest, V_c=V_c, V_reset=V_reset,
            V_th=V_th, tau_ref=tau_ref, V_initializer=V_initializer, spk_fun=spk_fun,
            spk_reset=spk_reset, method=method, name=name, tau_w=tau_w, a=a, b=b,
            w_initializer=w_initializer,
        )  # fmt: skip


class AdQuaIFRef(Refractory, AdQuaIF):
    r""":class:`AdQuaIF` with brainpy.state's refractory period (:class:`Refractory`).

    .. math::

       \tau \frac{dV}{dt} &= c\,(V - V_{rest})(V - V_c) - R\, w + R\, I(t) \\
       \tau_w \frac{dw}{dt} &= a (V - V_{rest}) - w

    At the cut-off ``V_th`` the neuron spikes, ``V`` is reset and ``w`` jumps by ``b``;
    for ``tau_ref`` both are held at those values, and the spike time is kept in
    ``last_spike_time``.

    Parameters: those of :class:`AdQuaIF` (same defaults) with ``tau_ref`` = 1.7 ms and
    ``ref_var`` (``False``; brainpy.state's switch, ``refractory`` is kept anyway).

    States: ``V``, ``w``, ``refractory``, ``last_spike_time``, ``spike``.

    Reference: E. M. Izhikevich (2004), Which model to use for cortical spiking
    neurons?, *IEEE Trans. Neural Netw.* 15(5):1063-1070.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.AdQuaIFRef(1, R=10. * u.Mohm, a=0. * u.nS, b=0.1 * u.nA,
    ...                        tau_ref=5. * u.ms)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: 2. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())
    5
    """


class IzhikevichRef(Refractory, Izhikevich):
    r""":class:`Izhikevich` with brainpy.state's refractory period (:class:`Refractory`).

    .. math::

       \frac{dV}{dt} &= 0.04\, V^2 + 5\, V + 140 - u + \frac{I(t)}{C} \\
       \frac{du}{dt} &= a\,(b\, V - u)

    At the cut-off ``V_th`` the neuron spikes, ``V`` is reset to ``c`` and ``u`` jumps
    by ``d``; for ``tau_ref`` both are held at those values, and the spike time is kept
    in ``last_spike_time``.

    Parameters: those of :class:`Izhikevich` (same defaults, ``tau_ref`` = 0 ms as in
    brainpy.state) and ``ref_var`` (``False``; brainpy.state's switch, ``refractory``
    is kept anyway).

    States: ``V``, ``u``, ``refractory``, ``last_spike_time``, ``spike``.

    Reference: E. M. Izhikevich (2003), Simple model of spiking neurons, *IEEE Trans.
    Neural Netw.* 14(6):1569-1572.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.IzhikevichRef(1, a=0.1 / u.ms, d=2. * u.mV / u.ms, tau_ref=10. * u.ms)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: 10. * u.pA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # fast spiking: 28 spikes without tau_ref
    12
    """

    default_tau_ref = 0.0 * u.ms
