"""Leaky integrate-and-fire neurons with their own synaptic variables: CubaLIF, CobaLIF."""

from __future__ import annotations

from typing import Any

from .. import units as u
from ..core._params import Param
from ..surrogate import Surrogate
from ._base import step_with_recovery
from ._lif import LIF


class CubaLIF(LIF):
    r"""Current-based leaky integrate-and-fire neuron: a LIF membrane driven through a
    first-order synaptic current.

    .. math::

       \tau_{syn} \frac{dI_{syn}}{dt} &= -I_{syn} + I(t) \\
       \tau \frac{dV}{dt} &= -(V - V_{rest}) + R\, I_{syn}

    The input current ``I`` (the argument and the registered current inputs) is
    low-pass filtered by ``I_syn``; delta inputs jump ``V``. When :math:`V \ge V_{th}`
    the neuron spikes and ``V`` is reset; for ``tau_ref`` after a spike ``V`` is held
    while ``I_syn`` goes on filtering (the CUBA-LIF of Loihi and NIR).

    Each step, in order: (1) sum the input current, (2) integrate ``V`` and ``I_syn``
    over ``dt`` (``V`` frozen while refractory) and add delta inputs to free neurons,
    (3) detect spikes ``V >= V_th`` of non-refractory neurons, (4) reset, (5) start the
    refractory count of spiking neurons.

    =====================  =============  =====================================
    parameter              default        meaning
    =====================  =============  =====================================
    ``tau``                5 ms           membrane time constant
    ``tau_syn``            5 ms           synaptic current time constant
    ``R``                  1 ohm          membrane resistance
    ``V_rest``             0 mV           resting potential
    ``V_th``               1 mV           spike threshold
    ``V_reset``            ``V_rest``     reset potential (``< V_th``)
    ``tau_ref``            0 ms           absolute refractory period
    ``V_initializer``      ``V_rest``     initial ``V``
    ``I_syn_initializer``  0 pA           initial ``I_syn``
    ``spk_fun``            ReluGrad()     surrogate spike function
    ``spk_reset``          ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``             exp_euler      integrator
    =====================  =============  =====================================

    States: ``V``, ``I_syn`` (synaptic current), ``refractory``, ``spike``.

    References: M. Davies et al. (2018), Loihi: a neuromorphic manycore processor with
    on-chip learning, *IEEE Micro* 38(1):82-99; J. E. Pedersen et al. (2024),
    Neuromorphic intermediate representation, *Nat. Commun.* 15:8122.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.CubaLIF(1, tau=10. * u.ms, tau_syn=5. * u.ms, R=1. * u.Mohm,
    ...                  V_th=10. * u.mV)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 100. * u.ms, inputs=lambda i, t: 20. * u.nA,
    ...                 monitors={"spike": neuron.spike})
    >>> int(result["spike"].sum())
    13
    """

    tau_syn = Param(u.ms, positive=True)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 5.0 * u.ms,
        tau_syn: Any = 5.0 * u.ms,
        R: Any = 1.0 * u.ohm,
        V_rest: Any = 0.0 * u.mV,
        V_th: Any = 1.0 * u.mV,
        V_reset: Any = None,
        tau_ref: Any = 0.0 * u.ms,
        V_initializer: Any = None,
        I_syn_initializer: Any = 0.0 * u.pA,
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
        self.set(tau_syn=tau_syn)
        self.I_syn_initializer = I_syn_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, I_syn=u.pA)

    def dI_syn(self, I_syn: Any, I: Any) -> Any:
        """The synaptic current equation, ``dI_syn/dt``."""
        return (I - I_syn) / self.tau_syn

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        return step_with_recovery(
            self, x, self.I_syn,
            lambda V, I_syn, I, t: self.dV(V, t, I_syn),  # the input drives I_syn, not V
            lambda V, I_syn, I: self.dI_syn(I_syn, I),
            self.V_reset, 0.0 * u.pA,
        )  # fmt: skip


class CobaLIF(LIF):
    r"""Conductance-based leaky integrate-and-fire neuron with exponential excitatory
    and inhibitory conductances.

    .. math::

       \tau \frac{dV}{dt} &= -(V - V_{rest}) - R\, g_E (V - E_E) - R\, g_I (V - E_I)
           + R\, I(t) \\
       \tau_E \frac{dg_E}{dt} &= -g_E, \qquad \tau_I \frac{dg_I}{dt} = -g_I

    Synaptic events jump the conductances: delta inputs labelled ``"g_E"`` and
    ``"g_I"`` (``add_delta_input(key, fn, label="g_E")``) are added to ``g_E`` and
    ``g_I`` at the start of a step; unlabelled delta inputs jump ``V``. When
    :math:`V \ge V_{th}` the neuron spikes and ``V`` is reset; for ``tau_ref`` after a
    spike ``V`` is held while the conductances go on decaying (Brette et al. 2007,
    benchmark 1).

    Each step, in order: (1) add the conductance jumps, (2) sum the input current,
    (3) integrate ``V``, ``g_E``, ``g_I`` over ``dt`` (``V`` frozen while refractory)
    and add delta inputs to free neurons, (4) detect spikes ``V >= V_th`` of
    non-refractory neurons, (5) reset, (6) start the refractory count.

    ====================  =============  =====================================
    parameter             default        meaning
    ====================  =============  =====================================
    ``tau``               20 ms          membrane time constant
    ``R``                 100 Mohm       membrane resistance
    ``tau_E``             5 ms           excitatory conductance time constant
    ``tau_I``             10 ms          inhibitory conductance time constant
    ``E_E``               0 mV           excitatory reversal potential
    ``E_I``               -80 mV         inhibitory reversal potential
    ``V_rest``            -60 mV         resting potential
    ``V_th``              -50 mV         spike threshold
    ``V_reset``           ``V_rest``     reset potential (``< V_th``)
    ``tau_ref``           5 ms           absolute refractory period
    ``V_initializer``     ``V_rest``     initial ``V``
    ``g_E_initializer``   0 nS           initial ``g_E``
    ``g_I_initializer``   0 nS           initial ``g_I``
    ``spk_fun``           ReluGrad()     surrogate spike function
    ``spk_reset``         ``'hard'``     reset mode, ``'hard'`` or ``'soft'``
    ``method``            exp_euler      integrator
    ====================  =============  =====================================

    States: ``V``, ``g_E``, ``g_I`` (conductances), ``refractory``, ``spike``.

    Reference: R. Brette et al. (2007), Simulation of networks of spiking neurons: a
    review of tools and strategies, *J. Comput. Neurosci.* 23(3):349-398.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> neuron = nd.neurons.CobaLIF(1, g_E_initializer=10. * u.nS)
    >>> _ = nd.init_all_states(neuron)
    >>> result = nd.run(neuron, 20. * u.ms, monitors={"V": neuron.V})
    >>> round(float(result["V"].max().to_decimal(u.mV)), 2)  # a single EPSP
    -51.33
    """

    tau_E = Param(u.ms, positive=True)
    tau_I = Param(u.ms, positive=True)
    E_E = Param(u.mV)
    E_I = Param(u.mV)

    def __init__(
        self,
        in_size: Any,
        tau: Any = 20.0 * u.ms,
        R: Any = 100.0 * u.Mohm,
        tau_E: Any = 5.0 * u.ms,
        tau_I: Any = 10.0 * u.ms,
        E_E: Any = 0.0 * u.mV,
        E_I: Any = -80.0 * u.mV,
        V_rest: Any = -60.0 * u.mV,
        V_th: Any = -50.0 * u.mV,
        V_reset: Any = None,
        tau_ref: Any = 5.0 * u.ms,
        V_initializer: Any = None,
        g_E_initializer: Any = 0.0 * u.nS,
        g_I_initializer: Any = 0.0 * u.nS,
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
        self.set(tau_E=tau_E, tau_I=tau_I, E_E=E_E, E_I=E_I)
        self.g_E_initializer = g_E_initializer
        self.g_I_initializer = g_I_initializer

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.init_hidden(batch_size, g_E=u.nS, g_I=u.nS)

    def synaptic_current(self, V: Any, g_E: Any, g_I: Any) -> Any:
        """The current through the conductances, ``g_E (E_E - V) + g_I (E_I - V)``."""
        return g_E * (self.E_E - V) + g_I * (self.E_I - V)

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        self.g_E.value = self.sum_delta_inputs(self.g_E.value, label="g_E")
        self.g_I.value = self.sum_delta_inputs(self.g_I.value, label="g_I")
        return step_with_recovery(
            self, x, (self.g_E, self.g_I),
            lambda V, g, I, t: self.dV(V, t, I + self.synaptic_current(V, *g)),
            lambda V, g, I: (-g[0] / self.tau_E, -g[1] / self.tau_I),
            self.V_reset, (0.0 * u.nS, 0.0 * u.nS),
        )  # fmt: skip
