"""Integrate-and-fire neurons with a moving threshold: ALIF and GIF."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core import environ
from ..core._params import Param
from ..init import Constant
from ..integrators import check_method, integrate
from ..surrogate import Surrogate
from ._base import Neuron, check_current, hard_or_soft_reset, next_refractory, refractory_counter
from ._lif import LIF
from ._refractory import Refractory


class ALIF(LIF):
    r"""Leaky integrate-and-fire neuron with an adaptive threshold (Bellec et al. 2018).

    .. math::

       \tau \frac{dV}{dt} &= -(V - V_{rest}) + R\, I(t) \\
       \tau_a \frac{da}{dt} &= -a, \qquad V_{th}^{eff} = V_{th} + \beta\, a

    The neuron spikes when ``V >= V_th + beta * a``; then ``V`` is reset and the
    dimensionless adaptation ``a`` jumps by 1, so each spike raises the threshold by
    ``beta`` and the rise decays with ``tau_a``. A soft reset subtracts the effective
    threshold distance ``V_th + beta * a - V_reset``. For ``tau_ref`` after a spike
    ``V`` is held where the reset left it; ``a`` goes on decaying.

    Each step, in order: (1) sum the input current, (2) integrate ``V`` and ``a`` over
    ``dt`` and add delta inputs, (3) keep ``V`` and drop the inputs while refractory,
    (4) detect spikes ``V >= V_th + beta * a`` of non-refractory neurons, (5) reset
    ``V`` and add 1 to ``a``, (6) start the refractory count of spiking neurons.

    ==================  =============  =====================================
    parameter           default        meaning
    ==================  =============  =====================================
    ``tau``             5 ms           membrane time constant
    ``R``               1 ohm          membrane resistance
    ``tau_a``           100 ms         threshold adaptation time constant
    ``beta``            0.1 mV         threshold rise per unit of ``a`` (``>= 0``)
    ``V_rest``          0 mV           resting potential
    ``V_th``            1 mV           baseline threshold
    ``V_reset``         ``V_rest``     reset potential (``< V_th``)
    ``tau_ref``         0 ms           absolute refractory period
    ``V_initializer``   ``V_rest``     initial ``V``
    ``a_initializer``   0              initial ``a`` (dimensionless)
    ``spk_fun``         ReluGrad()     surrogate spike function
    ``spk_reset``       ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``          exp_euler      integrator
    ==================  =============  =====================================

    States: ``V`` (membrane potential), ``a`` (threshold adaptation), ``refractory``,
    ``spike``; :meth:`threshold` gives the effective threshold.

    Reference: G. Bellec, D. Salaj, A. Subramoney, R. Legenstein, W. Maass (2018),
    Long short-term memory and learning-to-learn in networks of spiking neurons,
    *NeurIPS* 31, 787-797.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.ALIF(1, tau=10. * u.ms, R=1. * u.Mohm, V_th=10. * u.mV,
    ...                  beta=2. * u.mV, tau_a=200. * u.ms)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: 20. * u.nA,
    ...                 monitors={"spike": neuron.spike, "a": neuron.a})
    >>> int(result["spike"].sum()), round(float(result["a"][-1, 0]), 2)
    (6, 4.47)
    """

    tau_a = Param(u.ms, positive=True)
    beta = Param(u.mV, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 5.0 * u.ms,
        R: Any = 1.0 * u.ohm,
        tau_a: Any = 100.0 * u.ms,
        beta: Any = 0.1 * u.mV,
        V_rest: Any = 0.0 * u.mV,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = None,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = None,
        a_initializer: Any = 0.0,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(
            in_size,
            tau=tau,
            R=R,
            V_rest=V_rest,
            V_th=V_th,
            V_reset=V_reset,
            tau_ref=tau_ref,
            V_initializer=V_initializer,
            spk_fun=spk_fun,
            spk_reset=spk_reset,
            method=method,
            name=name,
        )
        self.tau_a = tau_a
        self.beta = beta
        self.a_initializer = a_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, a=u.UNITLESS)

    def threshold(self) -> Any:
        """The effective threshold, ``V_th + beta * a``."""
        return self.V_th + self.beta * self.a.value

    def spike_argument(self, V: Any) -> Any:
        """``(V - V_th - beta a) / (V_th - V_reset)``: the distance to the effective
        threshold, as the update scales it."""
        return u.magnitude((V - self.threshold()) / (self.V_th - self.V_reset))

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        check_current(self.name, x)
        refractory = self.refractory.value
        V_free, a = integrate(
            lambda y, t: (self.dV(y[0], t, self.sum_current_inputs(x, y[0])), -y[1] / self.tau_a),
            (self.V.value, self.a.value),
            environ.get("t"),
            environ.get_dt(),
            method=self.method,
        )
        V_free = self.sum_delta_inputs(V_free)
        free = refractory == 0
        V = u.math.where(free, V_free, self.V.value)
        V_th = self.V_th + self.beta * a
        spike = self.spk_fun(u.magnitude((V - V_th) / (self.V_th - self.V_reset))) * free
        self.V.value = hard_or_soft_reset(V, spike, V_th, self.V_reset, self.spk_reset)
        self.a.value = a + spike
        self.refractory.value = next_refractory(refractory, spike, self.tau_ref)
        self.spike.value = spike
        return spike


class GIF(Neuron):
    r"""Generalized integrate-and-fire neuron (Mihalas & Niebur 2009).

    A leaky membrane with two spike-induced currents and a threshold that moves
    with the voltage:

    .. math::

       \frac{dI_1}{dt} &= -k_1 I_1, \qquad \frac{dI_2}{dt} = -k_2 I_2 \\
       \tau \frac{dV}{dt} &= -(V - V_{rest}) + R\,(I_1 + I_2 + I(t)) \\
       \frac{dV_{th}}{dt} &= a\,(V - V_{rest}) - b\,(V_{th} - V_{th,\infty})

    When ``V >= V_th`` the neuron spikes and

    .. math::

       I_1 \leftarrow R_1 I_1 + A_1, \quad I_2 \leftarrow R_2 I_2 + A_2, \quad
       V \leftarrow V_{reset}, \quad V_{th} \leftarrow \max(V_{th,reset}, V_{th})

    (a soft reset subtracts ``V_th - V_reset`` from ``V`` instead). With
    ``tau = C / G`` and ``R = 1 / G`` these are the paper's equations (its
    ``E_L, V_r, Theta_inf, Theta_r``). For ``tau_ref`` after a spike ``V`` is held
    (``dV/dt = 0``) while ``I_1, I_2, V_th`` go on evolving.

    Each step, in order: (1) sum the input current, (2) integrate ``I_1, I_2, V,
    V_th`` over ``dt`` (``V`` frozen while refractory) and add delta inputs to free
    neurons, (3) detect spikes ``V >= V_th`` of non-refractory neurons, (4) apply the
    reset rules above, (5) start the refractory count of spiking neurons.

    ====================  =============  =====================================
    parameter             default        meaning
    ====================  =============  =====================================
    ``tau``               20 ms          membrane time constant
    ``R``                 20 ohm         membrane resistance
    ``V_rest``            -70 mV         resting potential
    ``V_reset``           ``V_rest``     reset potential
    ``V_th_inf``          -50 mV         threshold's resting value (``> V_reset``)
    ``V_th_reset``        -60 mV         threshold's floor after a spike (``> V_reset``)
    ``a``                 0 / ms         threshold dependence on ``V``
    ``b``                 0.01 / ms      threshold relaxation rate (``>= 0``)
    ``k1``, ``k2``        0.2, 0.02/ms   decay rates of ``I_1``, ``I_2`` (``> 0``)
    ``R1``, ``R2``        0, 1           fraction of ``I_1``, ``I_2`` kept at a spike
    ``A1``, ``A2``        0 pA, 0 pA     jumps of ``I_1``, ``I_2`` at a spike
    ``tau_ref``           0 ms           absolute refractory period
    ``V_initializer``     -70 mV         initial ``V``
    ``I1_initializer``    0 pA           initial ``I_1``
    ``I2_initializer``    0 pA           initial ``I_2``
    ``V_th_initializer``  ``V_th_inf``   initial ``V_th``
    ``spk_fun``           ReluGrad()     surrogate spike function
    ``spk_reset``         ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``            exp_euler      integrator
    ====================  =============  =====================================

    The surrogate sees ``(V - V_th) / (V_th_inf - V_reset)``.

    States: ``V``, ``I1``, ``I2``, ``V_th`` (hidden), ``refractory``, ``spike``.

    Reference: S. Mihalas, E. Niebur (2009), A generalized linear integrate-and-fire
    neural model produces diverse spiking behaviors, *Neural Comput.* 21(3):704-718.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.GIF(1, R=1. * u.Gohm)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: 25. * u.pA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # tonic, period 20 ms * ln(25 / 5) = 32.2 ms
    6
    """

    ORDERED = (("V_reset", "V_th_inf"), ("V_reset", "V_th_reset"))
    tau = Param(u.ms, positive=True)
    R = Param(u.ohm, positive=True)
    V_rest = Param(u.mV)
    V_reset = Param(u.mV)
    V_th_inf = Param(u.mV)
    V_th_reset = Param(u.mV)
    a = Param(u.ms**-1)
    b = Param(u.ms**-1, nonnegative=True)
    k1 = Param(u.ms**-1, positive=True)
    k2 = Param(u.ms**-1, positive=True)
    R1 = Param()
    R2 = Param()
    A1 = Param(u.pA)
    A2 = Param(u.pA)
    tau_ref = Param(u.ms, nonnegative=True)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 20.0 * u.ms,
        R: Any = 20.0 * u.ohm,
        V_rest: Any = -70.0 * u.mV,
        V_reset: Any = None,
        V_th_inf: Any = -50.0 * u.mV,
        V_th_reset: Any = -60.0 * u.mV,
        a: Any = 0.0 / u.ms,
        b: Any = 0.01 / u.ms,
        k1: Any = 0.2 / u.ms,
        k2: Any = 0.02 / u.ms,
        R1: Any = 0.0,
        R2: Any = 1.0,
        A1: Any = 0.0 * u.pA,
        A2: Any = 0.0 * u.pA,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = -70.0 * u.mV,
        I1_initializer: Any = 0.0 * u.pA,
        I2_initializer: Any = 0.0 * u.pA,
        V_th_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        method: str = "exp_euler",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.tau = tau
        self.R = R
        self.V_rest = V_rest
        self.V_reset = V_reset if V_reset is not None else V_rest
        self.V_th_inf = V_th_inf
        self.V_th_reset = V_th_reset
        self.a = a
        self.b = b
        self.k1 = k1
        self.k2 = k2
        self.R1 = R1
        self.R2 = R2
        self.A1 = A1
        self.A2 = A2
        self.tau_ref = tau_ref
        self.V_initializer = V_initializer
        self.I1_initializer = I1_initializer
        self.I2_initializer = I2_initializer
        self.V_th_initializer = (
            V_th_initializer if V_th_initializer is not None else Constant(V_th_inf)
        )
        self.method = check_method(method)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, V=u.mV, I1=u.pA, I2=u.pA, V_th=u.mV)
        self.refractory = refractory_counter(self.V.value)

    def dV(self, V: Any, I1: Any, I2: Any, I: Any) -> Any:
        """The membrane equation, ``dV/dt``."""
        return (-(V - self.V_rest) + self.R * (I1 + I2 + I)) / self.tau

    def spike_argument(self, V: Any) -> Any:
        """``(V - V_th) / (V_th_inf - V_reset)``, ``V_th`` the threshold state."""
        return u.magnitude((V - self.V_th.value) / (self.V_th_inf - self.V_reset))

    def dV_th(self, V: Any, V_th: Any) -> Any:
        """The threshold equation, ``dV_th/dt``."""
        return self.a * (V - self.V_rest) - self.b * (V_th - self.V_th_inf)

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        check_current(self.name, x)
        refractory = self.refractory.value
        free = refractory == 0

        def vector_field(y: tuple[Any, ...], t: Any) -> tuple[Any, ...]:
            I1, I2, V, V_th = y
            dV = self.dV(V, I1, I2, self.sum_current_inputs(x, V))
            dV = u.math.where(free, dV, u.math.zeros_like(dV))
            return -self.k1 * I1, -self.k2 * I2, dV, self.dV_th(V, V_th)

        I1, I2, V, V_th = integrate(
            vector_field,
            (self.I1.value, self.I2.value, self.V.value, self.V_th.value),
            environ.get("t"),
            environ.get_dt(),
            method=self.method,
        )
        V = u.math.where(free, self.sum_delta_inputs(V), V)
        spike = self.spk_fun(u.magnitude((V - V_th) / (self.V_th_inf - self.V_reset))) * free
        self.V.value = hard_or_soft_reset(V, spike, V_th, self.V_reset, self.spk_reset)
        self.I1.value = I1 + (self.R1 * I1 + self.A1 - I1) * spike
        self.I2.value = I2 + (self.R2 * I2 + self.A2 - I2) * spike
        self.V_th.value = V_th + (u.math.maximum(self.V_th_reset, V_th) - V_th) * spike
        self.refractory.value = next_refractory(refractory, spike, self.tau_ref)
        self.spike.value = spike
        return spike


class GifRef(Refractory, GIF):
    r""":class:`GIF` with brainpy.state's refractory period (:class:`Refractory`).

    .. math::

       \frac{dI_j}{dt} &= -k_j I_j \quad (j = 1, 2) \\
       \tau \frac{dV}{dt} &= -(V - V_{rest}) + R\,(I_1 + I_2 + I(t)) \\
       \frac{dV_{th}}{dt} &= a\,(V - V_{rest}) - b\,(V_{th} - V_{th,\infty})

    At a spike ``V``, ``I_1``, ``I_2`` and ``V_th`` follow :class:`GIF`'s reset rules;
    for ``tau_ref`` all four are held at their values after the reset, and the spike
    time is kept in ``last_spike_time``.

    Parameters: those of :class:`GIF` (same defaults) with ``tau_ref`` = 1.7 ms and
    ``ref_var`` (``False``; brainpy.state's switch, ``refractory`` is kept anyway).

    States: ``V``, ``I1``, ``I2``, ``V_th``, ``refractory``, ``last_spike_time``,
    ``spike``.

    Reference: S. Mihalas, E. Niebur (2009), A generalized linear integrate-and-fire
    neural model produces diverse spiking behaviors, *Neural Comput.* 21(3):704-718.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.GifRef(1, R=1. * u.Gohm, tau_ref=10. * u.ms)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 200. * u.ms, inputs=lambda i, t: 25. * u.pA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())  # period 32.2 ms + 10 ms refractory
    4
    """
