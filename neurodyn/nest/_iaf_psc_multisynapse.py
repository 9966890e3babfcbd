"""NEST's leaky integrate-and-fire models with any number of current receptors.

``iaf_psc_exp_multisynapse`` and ``iaf_psc_alpha_multisynapse`` are ``iaf_psc_exp`` and
``iaf_psc_alpha`` with receptors ``1..n`` instead of an excitatory and an inhibitory
one, each with its own time constant (``tau_syn``, a list) and taking spikes of either
sign. They share the membrane of the ``iaf_psc_*`` models and the exact propagators of
their currents (:mod:`neurodyn.nest._propagators`), applied to all receptors at once
along the states' last axis, in NEST's order: membrane update (held while
refractory), currents decay, arriving spikes added, threshold and reset, stimulation
current buffered.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from ..surrogate import Surrogate
from . import _propagators as prop
from ._iaf_psc import _LinearIAF, _ms, _mV, _pA
from ._kernels import KernelList, receptor_weights


class _Multisynapse(_LinearIAF):
    """Receptors ``1..n`` with time constants ``tau_syn`` (fixed at construction: it
    sets the number of receptors) and their currents ``I_syn_receptors``. The
    constructor is that of both models (``iaf_psc_alpha_multisynapse`` adds ``V_min``)."""

    tau_syn = KernelList(u.ms, positive=True, counts="receptors", required=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 250.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        tau_syn: Any = (2.0,) * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, C_m, tau_m, t_ref, V_th, V_reset, I_e, V_initializer,
            spk_fun, spk_reset, name,
        )  # fmt: skip
        self.tau_syn = tau_syn
        self.check_parameters()

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.I_syn_receptors = HiddenState(self._zeros(u.pA), name="I_syn_receptors")

    @property
    def n_synapses(self) -> int:
        """The number of receptors (NEST's ``n_synapses``)."""
        return int(np.shape(u.magnitude(self.tau_syn))[-1])

    @property
    def RECEPTOR_TYPES(self) -> dict[str, int]:  # noqa: N802 (the attribute of every model)
        """Receptors ``'1'``, ``'2'``, ... with NEST's numbers 1, 2, ..."""
        return {str(k): k for k in range(1, self.n_synapses + 1)}

    @property
    def RECORDABLES(self) -> tuple[str, ...]:  # noqa: N802 (the attribute of every model)
        """``V_m``, ``I_syn`` (the sum over receptors) and ``I_syn_1``, ``I_syn_2``, ..."""
        return ("V_m", "I_syn", *(f"I_syn_{k}" for k in range(1, self.n_synapses + 1)))

    def _recordable(self, name: str) -> Any:
        if name == "V_m":
            return self.V.value
        currents = self.I_syn_receptors.value
        if name == "I_syn":
            return u.math.sum(currents, axis=-1)
        return currents[..., int(name.removeprefix("I_syn_")) - 1]

    def _tau_syn_ms(self) -> Any:
        """``tau_syn`` in ms, in the current precision (the default is made at import)."""
        return jnp.asarray(_ms(self.tau_syn), environ.dftype())

    def _zeros(self, unit: u.Unit) -> Any:
        shape = (*jnp.shape(self.V.value.mantissa), self.n_synapses)
        return u.with_unit(jnp.zeros(shape, environ.dftype()), unit)

    def arriving_weights(self) -> Any:
        """This step's spike weights (pA) per receptor, along the last axis."""
        return receptor_weights(self, u.pA)


_MEMBRANE_PARAMETERS = """\
    ==================  ===========  ==========================================
    parameter           default      meaning
    ==================  ===========  ==========================================
    ``E_L``             -70 mV       resting potential
    ``C_m``             250 pF       membrane capacitance
    ``tau_m``           10 ms        membrane time constant
    ``t_ref``           2 ms         refractory period (``V`` held at ``V_reset``)
    ``V_th``            -55 mV       spike threshold
    ``V_reset``         -70 mV       reset potential (``< V_th``)
    ``tau_syn``         [2] ms       synaptic time constants, one per receptor
    ``I_e``             0 pA         constant input current
    ``V_initializer``   ``E_L``      initial membrane potential"""


class iaf_psc_exp_multisynapse(_Multisynapse):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with exponential PSCs on receptors ``1..n``
    (NEST ``iaf_psc_exp_multisynapse``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + \sum_{k=1}^{n} I_k + I_e
       + I_{stim},
       \qquad \frac{dI_k}{dt} = -\frac{I_k}{\tau_{syn,k}}

    A spike of weight ``w`` (pA, either sign) on receptor ``k`` adds ``w`` to ``I_k``.

    {parameters}
    ==================  ===========  ==========================================

    As in NEST, no ``tau_syn`` may equal ``tau_m``. States: ``V``,
    ``I_syn_receptors`` (the currents, receptor ``k`` at index ``k - 1`` of the last
    axis), ``I_stim``, ``refractory_step_count``, ``last_spike_time``, ``spike``.
    Recordables ``V_m``, ``I_syn`` (the sum of the currents) and ``I_syn_k``. Delta
    inputs: weights in pA, labelled with the receptor (``'1'``, ``'2'``, ...; NEST's
    ``receptor_type`` 1, 2, ...).

    Reference: Rotter & Diesmann (1999), Biol. Cybern. 81:381; NEST
    ``iaf_psc_exp_multisynapse``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_exp_multisynapse(2, tau_syn=[0.5, 2.0, 5.0] * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> n.recordables
    ('V_m', 'I_syn', 'I_syn_1', 'I_syn_2', 'I_syn_3')
    >>> n.add_delta_input("fast", lambda: 100.0 * u.pA, label="1")
    >>> _ = n()
    >>> n.record("I_syn_1")
    Quantity([100. 100.], "pA")
    """

    def check_parameters(self) -> None:
        super().check_parameters()
        if "tau_m" in self.__dict__ and "_tau_syn" in self.__dict__:
            tau_syn = np.asarray(u.to_float(self.tau_syn, u.ms))
            tau_m = np.asarray(u.to_float(self.tau_m, u.ms))[..., None]
            if (tau_syn == tau_m).any():
                raise ParameterError(
                    f"tau_syn must differ from tau_m (NEST's rule for the exact propagator), "
                    f"got tau_syn={u.describe(self.tau_syn)}, tau_m={u.describe(self.tau_m)}"
                )

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        tau_m_k, C_k = jnp.asarray(tau_m)[..., None], jnp.asarray(C)[..., None]  # per receptor
        I = _pA(self.I_syn_receptors.value)
        dV, I = prop.exp_psc_step(I, h, self._tau_syn_ms(), tau_m_k, C_k)
        drive = jnp.sum(dV, axis=-1) + self._current_drive()
        y = self._membrane_step(_mV(self.V.value - self.E_L), drive)
        self.I_syn_receptors.value = u.with_unit(I + self.arriving_weights(), u.pA)
        return self._finish(y, x)


class iaf_psc_alpha_multisynapse(_Multisynapse):  # noqa: N801 (NEST's model name)
    r"""Leaky integrate-and-fire neuron with alpha-shaped PSCs on receptors ``1..n``
    (NEST ``iaf_psc_alpha_multisynapse``).

    .. math::

       C_m \frac{dV}{dt} = -\frac{C_m}{\tau_m}(V - E_L) + \sum_{k=1}^{n} I_k + I_e
       + I_{stim},
       \qquad \frac{d^2 I_k}{dt^2} + \frac{2}{\tau_{syn,k}}\frac{dI_k}{dt}
       + \frac{I_k}{\tau_{syn,k}^2} = 0

    A spike of weight ``w`` (pA, either sign) on receptor ``k`` adds
    ``e\, w / \tau_{syn,k}`` to ``dI_k``, so that ``I_k`` peaks at ``w`` after
    ``tau_syn[k-1]``.

    {parameters}
    ``V_min``           -inf mV      lower bound of the membrane potential
    ==================  ===========  ==========================================

    States: ``V``, ``I_syn_receptors`` and ``dI_syn_receptors`` (the currents and their
    slopes, receptor ``k`` at index ``k - 1`` of the last axis), ``I_stim``,
    ``refractory_step_count``, ``last_spike_time``, ``spike``. Recordables ``V_m``,
    ``I_syn`` (the sum of the currents) and ``I_syn_k``. Delta inputs: weights in pA,
    labelled with the receptor (``'1'``, ``'2'``, ...; NEST's ``receptor_type`` 1, 2,
    ...).

    Reference: Rotter & Diesmann (1999), Biol. Cybern. 81:381; NEST
    ``iaf_psc_alpha_multisynapse``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.nest.iaf_psc_alpha_multisynapse(1, tau_syn=[1.0, 10.0] * u.ms)
    >>> _ = nd.init_all_states(n)
    >>> n.RECEPTOR_TYPES
    {'1': 1, '2': 2}
    """

    V_min = Param(u.mV, allow_inf=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any = -70.0 * u.mV,
        C_m: Any = 250.0 * u.pF,
        tau_m: Any = 10.0 * u.ms,
        t_ref: Any = 2.0 * u.ms,
        V_th: Any = -55.0 * u.mV,
        V_reset: Any = -70.0 * u.mV,
        tau_syn: Any = (2.0,) * u.ms,
        I_e: Any = 0.0 * u.pA,
        V_min: Any = -jnp.inf * u.mV,
        V_initializer: Any = None,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(
            in_size, E_L, C_m, tau_m, t_ref, V_th, V_reset, tau_syn, I_e, V_initializer,
            spk_fun, spk_reset, name,
        )  # fmt: skip
        self.V_min = V_min

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.dI_syn_receptors = HiddenState(self._zeros(u.pA / u.ms), name="dI_syn_receptors")

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        h, tau_m, C = _ms(environ.get_dt()), _ms(self.tau_m), u.to_float(self.C_m, u.pF)
        tau_m_k, tau_s = jnp.asarray(tau_m)[..., None], self._tau_syn_ms()
        C_k = jnp.asarray(C)[..., None]  # against the receptor axis
        I = _pA(self.I_syn_receptors.value)
        dI = u.to_float(self.dI_syn_receptors.value, u.pA / u.ms)
        dV, I, dI = prop.alpha_psc_step(I, dI, h, tau_s, tau_m_k, C_k)
        drive = jnp.sum(dV, axis=-1) + self._current_drive()
        y = self._membrane_step(_mV(self.V.value - self.E_L), drive)
        y = jnp.maximum(y, _mV(self.V_min - self.E_L))
        self.I_syn_receptors.value = u.with_unit(I, u.pA)
        dI = dI + jnp.e / tau_s * self.arriving_weights()
        self.dI_syn_receptors.value = u.with_unit(dI, u.pA / u.ms)
        return self._finish(y, x)


for _cls in (iaf_psc_exp_multisynapse, iaf_psc_alpha_multisynapse):
    _cls.__doc__ = _cls.__doc__.replace("    {parameters}", _MEMBRANE_PARAMETERS)
del _cls
