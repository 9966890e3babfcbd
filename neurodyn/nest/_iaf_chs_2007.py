"""NEST's ``iaf_chs_2007``: the spike-response model of a thalamic relay neuron driven by
retinal spikes (Carandini, Horton & Sincich 2007), in normalised potentials, with an
optional noise sequence given in advance."""

from __future__ import annotations

import math
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError, SimulationError
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..surrogate import Surrogate
from . import _propagators as prop
from ._base import NESTNeuron
from ._kernels import KernelList


class iaf_chs_2007(NESTNeuron):  # noqa: N801 (NEST's model name)
    r"""Spike-response model of a thalamic relay neuron (NEST ``iaf_chs_2007``).

    The membrane potential is normalised (rest 0, threshold :math:`U_{th} = 1`) and is
    the sum of a postsynaptic potential, an after-spike potential and noise:

    .. math::

       V_m(t) = V_{syn}(t) + V_{spike}(t) + V_{noise}\, \eta_k,

       \frac{di_{syn}}{dt} = -\frac{i_{syn}}{\tau_{epsp}}, \qquad
       \frac{dV_{syn}}{dt} = -\frac{V_{syn}}{\tau_{epsp}}
       + \frac{e\, V_{epsp}}{\tau_{epsp}}\, i_{syn}, \qquad
       \frac{dV_{spike}}{dt} = -\frac{V_{spike}}{\tau_{reset}}

    integrated exactly from step to step. A spike of weight ``w > 0`` adds ``w`` to
    :math:`i_{syn}`, so that it causes the alpha-shaped potential
    :math:`w\, V_{epsp}\, (t/\tau_{epsp})\, e^{1 - t/\tau_{epsp}}`, which peaks at
    :math:`w V_{epsp}`; negative weights are ignored, as in NEST. Where
    :math:`V_m \ge 1` the neuron fires and ``V_reset`` is subtracted from
    :math:`V_{spike}` and :math:`V_m` (there is no refractory period). :math:`\eta_k` is
    the ``k``-th value of the ``noise`` sequence, used (one value per step) while
    ``V_noise > 0``.

    ==================  ============  =================================================
    parameter           default       meaning
    ==================  ============  =================================================
    ``tau_epsp``        8.5 ms        time constant of the postsynaptic potential
                                      (``> 0``)
    ``tau_reset``       15.4 ms       time constant of the after-spike potential
                                      (``> 0``)
    ``V_epsp``          0.77          peak of the potential a spike of weight 1 causes
                                      (``>= 0``)
    ``V_reset``         2.31          depth of the after-spike potential (``>= 0``)
    ``V_noise``         0             scale of the noise (none where ``<= 0``)
    ``noise``           none          the noise sequence, one value per step along the
                                      last axis (other axes: per neuron); fixed at
                                      construction
    ==================  ============  =================================================

    The noise must last the run: a neuron that needs more values than ``noise`` holds
    raises :class:`~neurodyn.SimulationError` after the run. NEST's model takes no
    current: ``I_e`` stays 0 and ``update`` takes no input current.

    Each step: (1) advance :math:`V_{syn}` (with :math:`i_{syn}` of the step's start)
    and decay :math:`i_{syn}`; (2) add the arriving spikes to :math:`i_{syn}`;
    (3) decay :math:`V_{spike}`, draw the step's noise value and sum :math:`V_m`;
    (4) fire where :math:`V_m \ge 1` and subtract ``V_reset``.

    States: ``V`` (NEST's ``V_m``, unitless), ``i_syn_ex``, ``V_syn``, ``V_spike``,
    ``noise_position`` (noise values used so far), ``last_spike_time``, ``spike``.
    Recordables: ``V_m``. Delta inputs: unitless weights, labelled ``'ex'`` or
    unlabelled (only the positive part counts).

    Reference: Carandini, Horton & Sincich (2007), Thalamic filtering of retinal spike
    trains by postsynaptic summation, J. Vision 7(14):20; NEST ``iaf_chs_2007``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.init_all_states(nd.nest.iaf_chs_2007(1))
    >>> n.add_delta_input("retina", lambda: 0.05, label="ex")  # weight 0.05 every step
    >>> out = nd.run(n, 20. * u.ms, monitors={"spike": n.spike})
    >>> (out["spike"][:, 0].nonzero()[0] + 1).tolist()  # spike steps: the AHP spaces them
    [50, 96, 135, 172]
    """

    RECORDABLES = ("V_m",)
    RECEPTOR_TYPES = {"ex": 0}
    WEIGHT_UNIT = u.UNITLESS
    #: NEST's threshold of the normalised potential.
    U_TH = 1.0

    tau_epsp = Param(u.ms, positive=True)
    tau_reset = Param(u.ms, positive=True)
    V_epsp = Param(u.UNITLESS, nonnegative=True)
    V_reset = Param(u.UNITLESS, nonnegative=True)
    V_noise = Param(u.UNITLESS)
    noise = KernelList(u.UNITLESS, counts="steps")
    I_e = Param(u.pA, bounds=(0.0, 0.0))  # NEST's model takes no current

    def __init__(
        self,
        in_size: Any,
        tau_epsp: Any = 8.5 * u.ms,
        tau_reset: Any = 15.4 * u.ms,
        V_epsp: Any = 0.77,
        V_reset: Any = 2.31,
        V_noise: Any = 0.0,
        noise: Any = None,
        spk_fun: Surrogate | None = None,
        name: str | None = None,
    ):
        super().__init__(in_size, 0.0 * u.pA, spk_fun=spk_fun, spk_reset="soft", name=name)
        self.tau_epsp = tau_epsp
        self.tau_reset = tau_reset
        self.V_epsp = V_epsp
        self.V_reset = V_reset
        self.V_noise = V_noise
        self.noise = noise

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        zeros = jnp.zeros(shape, environ.dftype())
        self.V = HiddenState(zeros, name="V")
        self.i_syn_ex = HiddenState(zeros, name="i_syn_ex")
        self.V_syn = HiddenState(zeros, name="V_syn")
        self.V_spike = HiddenState(zeros, name="V_spike")
        self.noise_position = ShortTermState(jnp.zeros(shape, jnp.int32), name="noise_position")

    def spike_threshold(self) -> Any:
        """1: the threshold of the normalised potential."""
        return self.U_TH

    def spike_argument(self, V: Any) -> Any:
        """``V - 1``."""
        return V - self.spike_threshold()

    def propagators(self) -> dict:
        """NEST's ``P11``, ``P22`` (= ``P11``), ``P21`` and ``P30`` for one step."""
        h = u.to_float(environ.get_dt(), u.ms)
        tau_epsp = u.to_float(self.tau_epsp, u.ms)
        P11 = prop.decay(h, tau_epsp)
        P21 = self.V_epsp * math.e * P11 * h / tau_epsp
        P30 = prop.decay(h, u.to_float(self.tau_reset, u.ms))
        return {"P11": P11, "P22": P11, "P21": P21, "P30": P30}

    def noise_term(self) -> Any:
        """``V_noise`` times this step's noise value, where ``V_noise > 0`` (the neuron
        then moves on to the next value), else 0."""
        n = np.shape(self.noise)[-1]
        if n == 0:
            return 0.0
        position = self.noise_position.value
        on = self.V_noise > 0.0
        noise = jnp.broadcast_to(jnp.asarray(self.noise), (*position.shape, n))
        value = jnp.take_along_axis(noise, jnp.clip(position, 0, n - 1)[..., None], axis=-1)
        self.noise_position.value = position + on
        return jnp.where(on, self.V_noise * value[..., 0], 0.0)

    def update(self, x: Any = None) -> Any:
        if x is not None or self._current_inputs:
            raise ParameterError(
                f"{self.name}: iaf_chs_2007 takes no current (NEST's model has none); "
                "drive it with spikes"
            )
        P = self.propagators()
        self.V_syn.value = self.V_syn.value * P["P22"] + self.i_syn_ex.value * P["P21"]
        i_syn = self.i_syn_ex.value * P["P11"]
        self.i_syn_ex.value = i_syn + self.spike_inputs("ex", sign=+1)
        V_spike = self.V_spike.value * P["P30"]
        V = self.V_syn.value + V_spike + self.noise_term()
        spike = self.get_spike(V)
        self.V_spike.value = V_spike - self.V_reset * spike
        self.V.value = V - self.V_reset * spike
        return self.emit(spike, 0)

    def check_health(self) -> None:
        """Raise :class:`~neurodyn.SimulationError` where a neuron used up its noise."""
        used = self.noise_position.value
        n = np.shape(self.noise)[-1]
        if not isinstance(used, jax.core.Tracer) and (np.asarray(used) > n).any():
            raise SimulationError(
                f"{self.name}: the noise sequence ({n} values) ended before the run did "
                f"(a neuron needed {int(np.max(used))}); give one value per step"
            )
        super().check_health()
