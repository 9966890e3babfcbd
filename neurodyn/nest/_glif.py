r"""What NEST's generalized leaky integrate-and-fire models (Teeter et al. 2018) share.

``glif_psc``, ``glif_psc_double_alpha`` and ``glif_cond`` differ in their synapses only.
Their threshold :math:`\theta = \theta_\infty + \theta_s + \theta_v` has a spike
component :math:`\theta_s` and a voltage component :math:`\theta_v`; after-spike currents
:math:`I_j` add to the membrane current. Three switches pick one of the five GLIF models
(no other combination is allowed, as in NEST):

======  ===========================  ======================  ====================
model   ``spike_dependent_threshold``  ``after_spike_currents``  ``adapting_threshold``
======  ===========================  ======================  ====================
GLIF1   False                        False                   False
GLIF2   True                         False                   False
GLIF3   False                        True                    False
GLIF4   True                         True                    False
GLIF5   True                         True                    True
======  ===========================  ======================  ====================

A free step of length :math:`h` (NEST's order; :math:`U = V - E_L`, :math:`U_0` its
value at the step's start, :math:`I` the buffered current plus ``I_e``):

1. :math:`\theta_s \leftarrow \theta_s e^{-b_s h}` (GLIF2/4/5);
2. the after-spike currents' mean over the step,
   :math:`\bar I_{ASC} = \sum_j I_j (1 - e^{-k_j h}) / (k_j h)`, then
   :math:`I_j \leftarrow I_j e^{-k_j h}` (GLIF3/4/5; else :math:`\bar I_{ASC} = 0`);
3. the membrane advances (the models' own step, driven by :math:`I + \bar I_{ASC}`);
4. :math:`\theta_v` advances exactly (GLIF5) along
   :math:`d\theta_v/dt = a_v U - b_v \theta_v` with :math:`U` relaxing from :math:`U_0`
   towards :math:`\beta = (I + \bar I_{ASC})/g`:
   :math:`\theta_v \leftarrow \phi (U_0 - \beta) e^{-g h / C_m} + e^{-b_v h}
   (\theta_v - \phi (U_0 - \beta) - \frac{a_v}{b_v}\beta) + \frac{a_v}{b_v}\beta`,
   :math:`\phi = a_v / (b_v - g / C_m)`;
5. a spike where :math:`U > \theta`: :math:`I_j \leftarrow \Delta I_j + r_j I_j
   e^{-k_j t_{ref}}` (GLIF3/4/5); :math:`U \leftarrow V_{reset} - E_L` (GLIF1/3), or
   :math:`U \leftarrow f_v U_0 + \delta V` and
   :math:`\theta_s \leftarrow \theta_s e^{-b_s t_{ref}} + \delta\theta_s` (GLIF2/4/5).

While refractory, ``V``, the threshold components and the after-spike currents hold
(the synapses go on). Spikes arriving in the step are added after it (alpha-shaped:
``e / tau_syn`` per unit weight to the derivative), and the stimulation current is
buffered for the next step.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..neurons._base import initial_value, refractory_steps
from ..surrogate import Surrogate
from . import _kernels as kernels
from ._base import NESTNeuron
from ._kernels import KernelList

#: The switches (spike_dependent_threshold, after_spike_currents, adapting_threshold)
#: of GLIF1..5, the only combinations NEST accepts.
MECHANISMS = {
    (False, False, False): "GLIF1",
    (True, False, False): "GLIF2",
    (False, True, False): "GLIF3",
    (True, True, False): "GLIF4",
    (True, True, True): "GLIF5",
}
_SWITCHES = ("spike_dependent_threshold", "after_spike_currents", "adapting_threshold")
#: NEST's defaults of the after-spike currents' lists (float64 in any precision)
ASC_INIT = np.zeros(2) * u.pA
ASC_DECAY = np.array([0.003, 0.1]) / u.ms
ASC_AMPS = np.array([-9.18, -198.94]) * u.pA
ASC_R = np.ones(2)
_ASC_LISTS = ("asc_init", "asc_decay", "asc_amps", "asc_r")

#: The parameter table rows every GLIF model shares (``{g}``: its conductance's name).
PARAMETERS = """\
    ============================  ===================  ========================================
    parameter                     default              meaning
    ============================  ===================  ========================================
    ``{g}``{pad}9.43 nS              membrane (leak) conductance :math:`g`
    ``E_L``                       -78.85 mV            resting potential
    ``V_th``                      -51.68 mV            instantaneous threshold
                                                       :math:`\\theta_\\infty + E_L`
    ``C_m``                       58.72 pF             membrane capacitance
    ``t_ref``                     3.75 ms              refractory period (``> 0``)
    ``V_reset``                   -78.85 mV            reset potential of GLIF1/3 (``< V_th``)
    ``th_spike_add``              0.37 mV              :math:`\\delta\\theta_s`, jump of
                                                       :math:`\\theta_s` at a spike
    ``th_spike_decay``            0.009 /ms            :math:`b_s`, decay rate of
                                                       :math:`\\theta_s`
    ``voltage_reset_fraction``    0.2                  :math:`f_v` (in [0, 1])
    ``voltage_reset_add``         18.51 mV             :math:`\\delta V`
    ``th_voltage_index``          0.005 /ms            :math:`a_v`, adaptation index
    ``th_voltage_decay``          0.09 /ms             :math:`b_v`, decay rate of
                                                       :math:`\\theta_v`
    ``asc_init``                  [0, 0] pA            initial after-spike currents
    ``asc_decay``                 [0.003, 0.1] /ms     :math:`k_j`, their decay rates
    ``asc_amps``                  [-9.18, -198.94] pA  :math:`\\Delta I_j`, their jumps
    ``asc_r``                     [1, 1]               :math:`r_j` (in [0, 1])
    ``spike_dependent_threshold`` False                GLIF2/4/5 reset rules and
                                                       :math:`\\theta_s`
    ``after_spike_currents``      False                GLIF3/4/5 after-spike currents
    ``adapting_threshold``        False                GLIF5 :math:`\\theta_v`
    ``I_e``                       0 pA                 constant current (not in NEST)
    ``V_initializer``             ``E_L``              initial membrane potential"""


class GLIF(NESTNeuron):
    """The membrane, threshold and after-spike currents of the GLIF models, and their
    receptors ``1..n``: ``RECEPTOR_LISTS`` names the list parameters with one value per
    receptor (the first sets ``n``). Subclasses name their leak conductance
    (``CONDUCTANCE``) and provide ``update``."""

    RECEPTOR_LISTS: tuple[str, ...] = ("tau_syn",)
    CONDUCTANCE = "g"

    ORDERED = (("V_reset", "V_th"),)
    E_L = Param(u.mV)
    V_th = Param(u.mV)
    V_reset = Param(u.mV)
    C_m = Param(u.pF, positive=True)
    t_ref = Param(u.ms, positive=True)
    th_spike_add = Param(u.mV)
    th_spike_decay = Param(u.ms**-1, positive=True)
    voltage_reset_fraction = Param(u.UNITLESS, bounds=(0.0, 1.0))
    voltage_reset_add = Param(u.mV)
    th_voltage_index = Param(u.ms**-1)
    th_voltage_decay = Param(u.ms**-1, positive=True)
    spike_dependent_threshold = Param(flag=True)
    after_spike_currents = Param(flag=True)
    adapting_threshold = Param(flag=True)
    asc_init = KernelList(u.pA, counts="currents")
    asc_decay = KernelList(u.ms**-1, positive=True, counts="currents")
    asc_amps = KernelList(u.pA, counts="currents")
    asc_r = KernelList(u.UNITLESS, counts="currents")

    def __init__(
        self,
        in_size: Any,
        receptors: dict,
        asc: dict,
        I_e: Any,
        V_initializer: Any,
        spk_fun: Surrogate | None,
        name: str | None,
        **params: Any,
    ):
        super().__init__(in_size, I_e, spk_fun=spk_fun, name=name)
        for key, value in {**asc, **receptors}.items():
            setattr(self, key, value)
        kernels.check_pairs(self, *((_ASC_LISTS[0], other) for other in _ASC_LISTS[1:]))
        kernels.check_pairs(self, *((self.RECEPTOR_LISTS[0], o) for o in self.RECEPTOR_LISTS[1:]))
        r = np.asarray(u.magnitude(self.asc_r))
        if ((r < 0.0) | (r > 1.0)).any():
            raise ParameterError(f"asc_r must be within [0, 1], got {u.describe(self.asc_r)}")
        self.set(**params)
        self.V_initializer = V_initializer if V_initializer is not None else self.E_L

    def check_parameters(self) -> None:
        super().check_parameters()
        switches = tuple(self.__dict__.get(name) for name in _SWITCHES)
        if None not in switches and switches not in MECHANISMS:
            given = ", ".join(f"{n}={v}" for n, v in zip(_SWITCHES, switches, strict=True))
            raise ParameterError(
                f"{given} is not a GLIF model: spike_dependent_threshold, "
                "after_spike_currents, adapting_threshold must be one of GLIF1 (False, "
                "False, False), GLIF2 (True, False, False), GLIF3 (False, True, False), "
                "GLIF4 (True, True, False) or GLIF5 (True, True, True)"
            )

    @property
    def n_synapses(self) -> int:
        """The number of receptors (NEST's ``n_synapses``)."""
        return int(np.shape(u.magnitude(getattr(self, self.RECEPTOR_LISTS[0])))[-1])

    @property
    def RECEPTOR_TYPES(self) -> dict[str, int]:  # noqa: N802 (the attribute of every model)
        """Receptors ``'1'``, ``'2'``, ... with NEST's numbers 1, 2, ..."""
        return {str(k): k for k in range(1, self.n_synapses + 1)}

    @property
    def mechanism(self) -> str:
        """Which of the five GLIF models the switches select (``'GLIF1'`` .. ``'GLIF5'``)."""
        return MECHANISMS[tuple(getattr(self, name) for name in _SWITCHES)]

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        V = initial_value("V_initializer", self.V_initializer, u.mV, self.varshape, batch_size)
        self.V = HiddenState(V, name="V")
        zeros = jnp.zeros_like(V.mantissa)
        asc = kernels.zeros(self, "asc_init", batch_size) + self.asc_init
        self.ASCurrents = HiddenState(asc, name="ASCurrents")
        # their mean over a step: none yet (as NEST's, whose asc_init is 0 at creation)
        self.ASCurrents_sum = HiddenState(u.with_unit(zeros, u.pA), name="ASCurrents_sum")
        for state in ("threshold_spike", "threshold_voltage"):
            setattr(self, state, HiddenState(u.with_unit(zeros, u.mV), name=state))
        self.threshold = HiddenState(u.with_unit(zeros, u.mV) + self.V_th, name="threshold")

    def _recordable(self, name: str) -> Any:
        if name == "V_m":
            return self.V.value
        if name == "I":
            return self.I_stim.value + self.I_e
        return getattr(self, name).value

    def receptor_zeros(self, unit: u.Unit) -> Any:
        """A zero state per neuron and receptor (receptors along the last axis)."""
        shape = (*jnp.shape(self.V.value.mantissa), self.n_synapses)
        return u.with_unit(jnp.zeros(shape, environ.dftype()), unit)

    # -- the step's pieces, in mV / pA / ms magnitudes ------------------------------------

    def adapt(self, v_old: Any, I: Any) -> dict:
        """Steps 1, 2 and 4 of a free step (see the module): the threshold components
        (mV) and after-spike currents (pA) at the step's end, and ``asc_sum``, the
        currents' mean over the step. ``v_old``: ``U`` at the step's start (mV); ``I``:
        the buffered current plus ``I_e`` (pA)."""
        h = u.to_float(environ.get_dt(), u.ms)
        th_spike = _mV(self.threshold_spike.value)
        th_voltage = _mV(self.threshold_voltage.value)
        asc = _pA(self.ASCurrents.value)
        asc_sum = jnp.zeros_like(v_old)
        if self.spike_dependent_threshold:
            th_spike = th_spike * jnp.exp(-_per_ms(self.th_spike_decay) * h)
        if self.after_spike_currents:
            k = _per_ms(self.asc_decay)
            decay = jnp.exp(-k * h)
            asc_sum = jnp.sum(((1.0 / k) / h) * (1.0 - decay) * asc, axis=-1)
            asc = asc * decay
        if self.adapting_threshold:
            G, C = self._conductance(), u.to_float(self.C_m, u.pF)
            a_v, b_v = _per_ms(self.th_voltage_index), _per_ms(self.th_voltage_decay)
            phi, ratio = a_v / (b_v - G / C), a_v / b_v
            beta = (I + asc_sum) / G
            th_voltage = (
                phi * (v_old - beta) * jnp.exp(-G * h / C)
                + 1.0 / jnp.exp(b_v * h) * (th_voltage - phi * (v_old - beta) - ratio * beta)
                + ratio * beta
            )
        return {"th_spike": th_spike, "th_voltage": th_voltage, "asc": asc, "asc_sum": asc_sum}

    def fire_and_reset(self, U: Any, v_old: Any, free: dict) -> Any:
        """Step 5 and the refractory hold: ``U`` is the membrane after a free step,
        ``free`` :meth:`adapt`'s result. Stores ``V``, the threshold and after-spike
        states, emits the spikes; returns them."""
        refractory = self.refractory_step_count.value > 0
        th_inf = _mV(self.V_th - self.E_L)
        threshold = free["th_spike"] + free["th_voltage"] + th_inf
        scale = _mV(self.V_th - self.V_reset)
        spike = self.spk_fun((U - threshold) / scale) * ~refractory
        fires = jax.lax.stop_gradient(spike) > 0
        asc, th_spike = free["asc"], free["th_spike"]
        if self.after_spike_currents:
            t_ref = jnp.asarray(_ms(self.t_ref))[..., None]  # against the currents' axis
            kept = _unitless(self.asc_r) * jnp.exp(-_per_ms(self.asc_decay) * t_ref)
            asc = jnp.where(fires[..., None], _pA(self.asc_amps) + asc * kept, asc)
        if self.spike_dependent_threshold:
            U_reset = _unitless(self.voltage_reset_fraction) * v_old + _mV(self.voltage_reset_add)
            decayed = th_spike * jnp.exp(-_per_ms(self.th_spike_decay) * _ms(self.t_ref))
            th_spike = jnp.where(fires, decayed + _mV(self.th_spike_add), th_spike)
        else:
            U_reset = _mV(self.V_reset - self.E_L)
        U = jnp.where(fires, U_reset, U)
        hold = {
            "U": (U, v_old),
            "th_spike": (th_spike, _mV(self.threshold_spike.value)),
            "th_voltage": (free["th_voltage"], _mV(self.threshold_voltage.value)),
            "asc": (asc, _pA(self.ASCurrents.value)),
            "asc_sum": (free["asc_sum"], _pA(self.ASCurrents_sum.value)),
        }
        new = {
            key: jnp.where(refractory[..., None] if key == "asc" else refractory, old, value)
            for key, (value, old) in hold.items()
        }
        self.V.value = u.with_unit(new["U"], u.mV) + self.E_L
        self.threshold_spike.value = u.with_unit(new["th_spike"], u.mV)
        self.threshold_voltage.value = u.with_unit(new["th_voltage"], u.mV)
        self.threshold.value = (
            u.with_unit(new["th_spike"] + new["th_voltage"] + th_inf, u.mV) + self.E_L
        )
        self.ASCurrents.value = u.with_unit(new["asc"], u.pA)
        self.ASCurrents_sum.value = u.with_unit(new["asc_sum"], u.pA)
        return self.emit(spike, refractory_steps(self.t_ref))

    def _conductance(self) -> Any:
        """The leak conductance in nS (``g`` or ``g_m``, as NEST names it)."""
        return u.to_float(getattr(self, self.CONDUCTANCE), u.nS)


def _mV(x: Any) -> Any:
    return u.to_float(x, u.mV)


def _pA(x: Any) -> Any:
    return u.to_float(x, u.pA)


def _ms(x: Any) -> Any:
    return u.to_float(x, u.ms)


def _per_ms(x: Any) -> Any:
    return jnp.asarray(u.to_float(x, u.ms**-1), environ.dftype())


def _unitless(x: Any) -> Any:
    return jnp.asarray(u.magnitude(x), environ.dftype())
