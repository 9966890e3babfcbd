r"""NEST's ``pp_psc_delta``: a point-process neuron with dead time and an adaptive
threshold (Cardanobile & Rotter 2010; Jolivet et al. 2006)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..devices._sampling import random_uniform
from ..neurons._base import initial_value, refractory_steps
from . import _kernels as kernels
from . import _propagators as prop
from ._base import NESTNeuron


class pp_psc_delta(NESTNeuron):  # noqa: N801 (NEST's model name)
    r"""Point-process neuron with leaky integration of delta inputs, a dead time and
    spike-frequency adaptation (NEST ``pp_psc_delta``).

    .. math::

       \tau_m \frac{dV}{dt} = -V + \frac{\tau_m}{C_m} (I_e + I_{stim}),
       \qquad V \leftarrow V + w \text{ at each arriving spike},

       V_{eff} = V - \sum_k \gamma_k, \qquad \tau_{sfa,k}\frac{d\gamma_k}{dt} = -\gamma_k,
       \qquad \rho = c_1 V_{eff} + c_2 e^{c_3 V_{eff}}

    ``V`` is the membrane potential relative to rest (it starts at 0). Each step of
    length :math:`h`, in NEST's order: (1) ``V`` advances exactly and the spikes
    arriving in this step are added; (2) the kernels :math:`\gamma_k` decay and ``E_sfa``
    is their sum; (3) a neuron outside its dead time with :math:`\rho > 0` draws its
    spikes: one with probability :math:`1 - e^{-\rho h}` if ``dead_time > 0``, else a
    Poisson number with mean :math:`\rho h` (several spikes in one step are sent as one
    spike of that multiplicity: ``spike`` holds the count); (4) at a spike each
    :math:`\gamma_k` jumps by ``q_sfa[k]`` per spike, ``V`` is set to 0 if
    ``with_reset``, and the dead time starts: ``dead_time`` (at least one step ``h``
    if positive) or, with ``dead_time_random``, a gamma-distributed time of shape
    ``dead_time_shape`` and mean ``dead_time``, each in whole steps; within it the
    neuron draws nothing and ``V`` goes on integrating; (5) the stimulation current is
    buffered for the next step.

    =======================  ===========  ==============================================
    parameter                default      meaning
    =======================  ===========  ==============================================
    ``tau_m``                10 ms        membrane time constant
    ``C_m``                  250 pF       membrane capacitance
    ``dead_time``            1 ms         dead time after a spike (``0``: Poisson spikes)
    ``dead_time_random``     False        draw the dead time from a gamma distribution
    ``dead_time_shape``      1            shape of that distribution (``>= 1``)
    ``with_reset``           True         set ``V`` to 0 at a spike
    ``tau_sfa``              [] ms        time constants of the threshold kernels
    ``q_sfa``                [] mV        their jumps per spike (one per ``tau_sfa``)
    ``c_1``                  0 Hz/mV      slope of the linear part of the rate
    ``c_2``                  1.238 Hz     prefactor of the exponential part
    ``c_3``                  0.25 1/mV    coefficient of the exponential (``>= 0``)
    ``I_e``                  0 pA         constant input current
    ``t_ref_remaining``      0 ms         dead time left at the start
    ``V_initializer``        0 mV         initial ``V`` (relative to rest)
    =======================  ===========  ==============================================

    Recordables ``V_m`` (``V``) and ``E_sfa`` (:math:`\sum_k \gamma_k`). States:
    ``V``, ``sfa_elems`` (the kernels along the last axis), ``E_sfa``, ``I_stim``,
    ``refractory_step_count`` (dead-time steps left), ``last_spike_time``, ``spike``.
    Delta inputs: weights in mV, unlabelled (any sign). The random numbers come from
    neurodyn's default random stream (one key per step).

    References: Cardanobile S, Rotter S (2010), J. Comput. Neurosci. 28:267; Jolivet R,
    Rauch A, Lüscher HR, Gerstner W (2006), J. Comput. Neurosci. 21:35; NEST
    ``pp_psc_delta``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.random.seed(0)
    >>> n = nd.nest.pp_psc_delta(200, I_e=100. * u.pA)  # rate near 1.238 e^(0.25 * 4) Hz
    >>> _ = nd.init_all_states(n)
    >>> out = nd.run(n, 1000. * u.ms, monitors={"spike": n.spike})
    >>> 2.0 < float(out["spike"].sum()) / 200 < 5.0
    True
    """

    WEIGHT_UNIT = u.mV
    RECORDABLES = ("V_m", "E_sfa")

    tau_m = Param(u.ms, positive=True)
    C_m = Param(u.pF, positive=True)
    dead_time = Param(u.ms, nonnegative=True)
    dead_time_random = Param(flag=True)
    dead_time_shape = Param(u.UNITLESS, positive=True)
    with_reset = Param(flag=True)
    c_1 = Param(u.Hz / u.mV)
    c_2 = Param(u.Hz)
    c_3 = Param(u.mV**-1, nonnegative=True)
    t_ref_remaining = Param(u.ms, nonnegative=True)
    tau_sfa = kernels.KernelList(u.ms, positive=True)
    q_sfa = kernels.KernelList(u.mV)

    def __init__(
        self,
        in_size: Any,
        tau_m: Any = 10.0 * u.ms,
        C_m: Any = 250.0 * u.pF,
        dead_time: Any = 1.0 * u.ms,
        dead_time_random: bool = False,
        dead_time_shape: Any = 1.0,
        with_reset: bool = True,
        tau_sfa: Any = (),
        q_sfa: Any = (),
        c_1: Any = 0.0 * u.Hz / u.mV,
        c_2: Any = 1.238 * u.Hz,
        c_3: Any = 0.25 / u.mV,
        I_e: Any = 0.0 * u.pA,
        t_ref_remaining: Any = 0.0 * u.ms,
        V_initializer: Any = 0.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(in_size, I_e, name=name)
        self.tau_sfa = tau_sfa
        self.q_sfa = q_sfa
        kernels.check_pairs(self, ("q_sfa", "tau_sfa"))
        self.tau_m = tau_m
        self.C_m = C_m
        self.dead_time = dead_time
        self.dead_time_random = dead_time_random
        self.dead_time_shape = dead_time_shape
        self.with_reset = with_reset
        self.c_1 = c_1
        self.c_2 = c_2
        self.c_3 = c_3
        self.t_ref_remaining = t_ref_remaining
        self.V_initializer = V_initializer

    def check_parameters(self) -> None:
        super().check_parameters()
        if "dead_time_shape" in self.__dict__:
            shape = u.to_float(self.dead_time_shape, u.UNITLESS)
            if not bool(jnp.all(shape >= 1.0)):
                raise ParameterError(
                    f"dead_time_shape must be >= 1 (NEST's rule), got {u.describe(shape)}"
                )

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")
        self.sfa_elems = HiddenState(kernels.zeros(self, "q_sfa", batch_size), name="sfa_elems")
        self.E_sfa = HiddenState(u.with_unit(jnp.zeros_like(V.mantissa), u.mV), name="E_sfa")
        remaining = jnp.broadcast_to(refractory_steps(self.t_ref_remaining), V.shape)
        self.refractory_step_count.value = remaining.astype(jnp.int32)

    def _recordable(self, name: str) -> Any:
        return {"V_m": self.V, "E_sfa": self.E_sfa}[name].value

    def dead_time_steps(self, key: jax.Array, shape: tuple[int, ...]) -> Any:
        """The dead time started by a spike, in steps: ``dead_time`` (raised to one step
        ``h`` if positive and shorter), or a gamma-distributed time of that mean."""
        h = environ.get_dt()
        dead_time = u.math.where(
            (self.dead_time > 0.0 * u.ms) & (self.dead_time < h), h, self.dead_time
        )
        if not self.dead_time_random:
            return jnp.broadcast_to(refractory_steps(dead_time), shape)
        k = jnp.broadcast_to(jnp.asarray(self.dead_time_shape, environ.dftype()), shape)
        return refractory_steps(jax.random.gamma(key, k, dtype=environ.dftype()) / k * dead_time)

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h = u.to_float(environ.get_dt(), u.ms)
        tau_m, C = u.to_float(self.tau_m, u.ms), u.to_float(self.C_m, u.pF)
        current = u.to_float(self.buffered_current(), u.pA)
        jumps = self.spike_inputs()
        V = (
            current * prop.constant_current_to_V(h, tau_m, C)
            + u.to_float(self.V.value, u.mV) * prop.decay(h, tau_m)
            + (u.to_float(jumps, u.mV) if u.is_quantity(jumps) else jumps)
        )
        self.sfa_elems.value = kernels.decay(self.sfa_elems.value, self.tau_sfa)
        E_sfa = u.to_float(u.math.sum(self.sfa_elems.value, axis=-1), u.mV)
        self.E_sfa.value = u.with_unit(E_sfa, u.mV)

        V_eff = V - E_sfa
        rate = u.to_float(self.c_1 * u.with_unit(V_eff, u.mV), u.Hz) + u.to_float(
            self.c_2, u.Hz
        ) * jnp.exp(u.to_float(self.c_3 * u.with_unit(V_eff, u.mV), u.UNITLESS))
        mean = jnp.maximum(rate, 0.0) * h * 1e-3
        free = (self.refractory_step_count.value == 0) & (rate > 0.0)
        key_u, key_poisson, key_gamma = nd_random.split(nd_random.split_key(), 3)
        with_dead_time = u.to_float(self.dead_time, u.ms) > 0.0
        n_spikes = (random_uniform(key_u, jnp.shape(V)) <= -jnp.expm1(-mean)).astype(jnp.int32)
        if not np.all(with_dead_time):  # Poisson counts where there is no dead time
            poisson_mean = jnp.where(with_dead_time, 0.0, mean)
            counts = jax.random.poisson(key_poisson, poisson_mean, jnp.shape(V))
            n_spikes = jnp.where(with_dead_time, n_spikes, counts.astype(jnp.int32))
        n_spikes = jnp.where(free, n_spikes, 0)
        fires = n_spikes > 0
        self.sfa_elems.value = kernels.jump(self.sfa_elems.value, self.q_sfa, n_spikes)
        if self.with_reset:
            V = jnp.where(fires, 0.0, V)
        self.V.value = u.with_unit(V, u.mV)
        spike = n_spikes.astype(environ.dftype())
        self.emit(spike, self.dead_time_steps(key_gamma, jnp.shape(V)))
        self.buffer_current(x)
        return spike
