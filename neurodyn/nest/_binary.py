r"""NEST's binary neurons: ``mcculloch_pitts_neuron``, ``ginzburg_neuron``, ``erfc_neuron``.

A binary neuron is in state :math:`S \in \{0, 1\}`. At random times, with exponentially
distributed intervals of mean ``tau_m``, it updates: it becomes 1 with the probability
:math:`g(h + c)` given by its gain function :math:`g`, where :math:`h` is its input field
(the weighted sum of the states of its presynaptic neurons) and :math:`c` the current
sent to it in this step. The three models differ only in :math:`g`.

A neuron tells its targets of each change of its state: NEST sends a spike of
multiplicity 2 at an up transition and 1 at a down transition, and the target adds
``+w`` and ``-w`` to :math:`h`. Here the signed change, ``+1``, ``-1`` or 0, is the
neuron's ``spike_offset`` after each step, and a connection delivers
``weight * spike_offset``, so that :math:`h_i(t) = \sum_j w_{ij} S_j(t - d_{ij})`.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..devices._sampling import random_uniform
from ..neurons._base import TICS_PER_MS, Neuron, check_current
from ._base import ArchivingNode

#: What drives a binary neuron besides other binary neurons (NEST: the sources whose
#: signal type includes BINARY; spike generators, which NEST lets send to binary
#: neurons too, are decoded there as state changes, which is not reproduced here).
_CURRENT_SOURCES = ("noise_generator",)


class BinaryNeuron(Neuron, ArchivingNode):
    r"""Base of NEST's binary neurons (NEST ``binary_neuron``); a model is this and
    its gain function :meth:`gain`.

    In each step :math:`(t, t + dt]`, in NEST's order:

    1. the state changes arriving in this step are added to the input field,
       :math:`h \leftarrow h + \sum_j w_j \Delta S_j`;
    2. if the step's start lies past the neuron's next update time,
       :math:`t > t_{next}` (both on NEST's 1 µs grid), the neuron updates:
       :math:`S \leftarrow 1` with probability :math:`g(h + c)`, else 0, and
       :math:`t_{next} \leftarrow t_{next} + \tau_m X` with :math:`X \sim
       \mathrm{Exp}(1)` (one update per step at most, as in NEST);
    3. a change of :math:`S` is the step's spike (``spike`` 1) and its sign the
       ``spike_offset`` that connections deliver.

    :math:`c` is the current sent to the neuron in this step (from a
    ``noise_generator`` in a network, or ``x`` of :meth:`update`): NEST adds its
    number in pA to :math:`h` in mV. The first update time is drawn when the states
    are created, from 0.

    States: ``S`` (0 or 1), ``h`` (mV), ``t_next`` (ms), ``spike`` (1 at a
    transition), ``spike_offset`` (+1 up, -1 down, 0). Recordables ``S`` and ``h``.
    The random numbers come from neurodyn's default random stream.

    Connect binary neurons only to binary neurons, at most once per pair (NEST's
    rules): a spiking neuron's spikes mean nothing to them, nor their state changes
    to a spiking neuron. A spike_recorder records two events at an up transition and
    one at a down transition, as NEST's does.
    """

    RECORDABLES: tuple[str, ...] = ("S", "h")
    RECEPTOR_TYPES: dict[str, int] = {}
    WEIGHT_UNIT = u.mV

    tau_m = Param(u.ms, positive=True)
    theta = Param(u.mV)

    def __init__(self, in_size: Any, tau_m: Any, theta: Any, name: str | None = None):
        super().__init__(in_size, name=name)
        self.tau_m = tau_m
        self.theta = theta
        self.default_archive()

    def gain(self, h: Any) -> Any:
        """The probability of state 1 after an update with total input ``h`` (mV)."""
        raise NotImplementedError

    @property
    def recordables(self) -> tuple[str, ...]:
        return self.RECORDABLES

    def record(self, name: str) -> Any:
        """The current value of the recordable ``name`` (``'S'`` or ``'h'``)."""
        if name not in self.RECORDABLES:
            raise ParameterError(
                f"{type(self).__name__} has no recordable {name!r}; it records {self.RECORDABLES}"
            )
        return getattr(self, name).value

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        zeros = jnp.zeros(shape, environ.dftype())
        self.S = HiddenState(zeros, name="S")
        self.h = HiddenState(u.with_unit(zeros, u.mV), name="h")
        self.spike_offset = ShortTermState(zeros, name="spike_offset")
        first = self.update_interval(nd_random.split_key(), shape)
        self.t_next = ShortTermState(u.with_unit(first, u.ms), name="t_next")

    def update_interval(self, key: jax.Array, shape: tuple[int, ...]) -> Any:
        """Exponential intervals of mean ``tau_m`` in ms, rounded to the 1 µs grid as
        NEST's ``Time::ms`` rounds them."""
        tau_m = u.to_float(self.tau_m, u.ms)
        interval = -tau_m * jnp.log1p(-random_uniform(key, shape))
        return jnp.floor(interval * TICS_PER_MS + 0.5) / TICS_PER_MS

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        check_current(self.name, x)
        h = u.to_float(self.h.value, u.mV)
        arrived = self.sum_delta_inputs(0.0 * u.mV)
        h = h + u.to_float(arrived, u.mV)  # step 1
        c = u.to_float(self.sum_current_inputs(x, u.with_unit(h, u.mV)), u.pA)

        t_next = u.to_float(self.t_next.value, u.ms)
        now = u.to_float(environ.get("t"), u.ms)
        due = jnp.round(now * TICS_PER_MS) > jnp.round(t_next * TICS_PER_MS)  # step 2
        key_state, key_interval = nd_random.split(nd_random.split_key())
        S = self.S.value
        p = u.to_float(self.gain(u.with_unit(h + c, u.mV)), u.UNITLESS)
        drawn = (random_uniform(key_state, jnp.shape(S)) < p).astype(S.dtype)
        new_S = jnp.where(due, drawn, S)
        interval = self.update_interval(key_interval, jnp.shape(S))
        self.t_next.value = u.with_unit(jnp.where(due, t_next + interval, t_next), u.ms)

        change = new_S - S  # step 3
        self.S.value = new_S
        self.h.value = u.with_unit(h, u.mV)
        self.spike_offset.value = change
        self.spike.value = jnp.abs(change)
        return self.spike.value


def binary_signal(source: Any, target: Any) -> bool:
    """Whether a connection from ``source`` to a neuron population ``target`` carries a
    binary neuron's state changes (its ``spike_offset``); raises a
    :class:`ParameterError` for the connections NEST refuses (binary with spiking
    neurons) and for spike generators onto binary neurons."""
    sends, receives = isinstance(source, BinaryNeuron), isinstance(target, BinaryNeuron)
    if sends == receives or (receives and type(source).__name__ in _CURRENT_SOURCES):
        return sends
    kind = "binary neuron" if sends else type(source).__name__
    raise ParameterError(
        f"cannot connect {type(source).__name__} to {type(target).__name__}: a {kind} "
        "does not send what the other takes (binary neurons connect to binary neurons, "
        "and take currents from a noise_generator; NEST's rule)"
    )


class mcculloch_pitts_neuron(BinaryNeuron):  # noqa: N801 (NEST's model name)
    r"""Binary neuron with a threshold (NEST ``mcculloch_pitts_neuron``): at each update
    it becomes :math:`S = H(h + c - \theta)`, 1 above the threshold and 0 at or below.

    .. math::

       g(h) = \begin{cases} 1 & h > \theta \\ 0 & h \le \theta \end{cases}

    The update times and the input field are those of :class:`BinaryNeuron`.

    =============  ========  ===================================================
    parameter      default   meaning
    =============  ========  ===================================================
    ``tau_m``      10 ms     mean interval between updates
    ``theta``      0 mV      threshold
    =============  ========  ===================================================

    References: McCulloch WS, Pitts W (1943), Bull. Math. Biophys. 5:115; Hertz J,
    Krogh A, Palmer RG (1991), Introduction to the theory of neural computation;
    NEST ``mcculloch_pitts_neuron``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> n = nd.init_all_states(nd.nest.mcculloch_pitts_neuron(3, theta=[0.5, 1.5, 2.5] * u.mV))
    >>> _ = nd.run(n, 200. * u.ms, inputs=lambda i, t: 2.0 * u.pA)  # about 20 updates each
    >>> n.S.value.tolist()
    [1.0, 1.0, 0.0]
    """

    def __init__(
        self,
        in_size: Any,
        tau_m: Any = 10.0 * u.ms,
        theta: Any = 0.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(in_size, tau_m, theta, name=name)

    def gain(self, h: Any) -> Any:
        return (h > self.theta).astype(environ.dftype())


class ginzburg_neuron(BinaryNeuron):  # noqa: N801 (NEST's model name)
    r"""Binary neuron with a sigmoidal (or affine) gain function (NEST
    ``ginzburg_neuron``, after Ginzburg & Sompolinsky 1994).

    .. math::

       g(h) = c_1 h + c_2 \, \frac{1 + \tanh(c_3 (h - \theta))}{2}

    (a probability: values below 0 act as 0, above 1 as 1). ``c_1 = 0, c_2 = 1,
    c_3 = \beta / 2`` is Glauber dynamics, :math:`g = 1 / (1 + e^{-\beta (h -
    \theta)})`. The update times and the input field are those of
    :class:`BinaryNeuron`.

    =============  ========  ===================================================
    parameter      default   meaning
    =============  ========  ===================================================
    ``tau_m``      10 ms     mean interval between updates
    ``theta``      0 mV      threshold of the sigmoid
    ``c_1``        0 1/mV    linear gain
    ``c_2``        1         prefactor of the sigmoid
    ``c_3``        1 1/mV    slope of the sigmoid
    =============  ========  ===================================================

    References: Ginzburg I, Sompolinsky H (1994), Phys. Rev. E 50:3171; Hertz J,
    Krogh A, Palmer RG (1991), Introduction to the theory of neural computation;
    NEST ``ginzburg_neuron``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.random.seed(0)
    >>> n = nd.init_all_states(nd.nest.ginzburg_neuron(500, tau_m=1. * u.ms))
    >>> out = nd.run(n, 50. * u.ms, monitors={"S": n.S}, inputs=lambda i, t: 0.5 * u.pA)
    >>> abs(float(out["S"][100:].mean()) - 0.731) < 0.02  # (1 + tanh(0.5)) / 2 = 0.731
    True
    """

    c_1 = Param(u.mV**-1)
    c_2 = Param(u.UNITLESS)
    c_3 = Param(u.mV**-1)

    def __init__(
        self,
        in_size: Any,
        tau_m: Any = 10.0 * u.ms,
        theta: Any = 0.0 * u.mV,
        c_1: Any = 0.0 / u.mV,
        c_2: Any = 1.0,
        c_3: Any = 1.0 / u.mV,
        name: str | None = None,
    ):
        super().__init__(in_size, tau_m, theta, name=name)
        self.c_1 = c_1
        self.c_2 = c_2
        self.c_3 = c_3

    def gain(self, h: Any) -> Any:
        sigmoid = 0.5 * (1.0 + u.math.tanh(self.c_3 * (h - self.theta)))
        return self.c_1 * h + self.c_2 * sigmoid


class erfc_neuron(BinaryNeuron):  # noqa: N801 (NEST's model name)
    r"""Binary neuron with a complementary-error-function gain (NEST ``erfc_neuron``):
    a threshold unit whose input carries Gaussian noise of standard deviation
    :math:`\sigma`.

    .. math::

       g(h) = \tfrac{1}{2} \operatorname{erfc}\!\left(-\frac{h - \theta}{\sqrt{2}\,
       \sigma}\right)

    The update times and the input field are those of :class:`BinaryNeuron`.

    =============  ========  ===================================================
    parameter      default   meaning
    =============  ========  ===================================================
    ``tau_m``      10 ms     mean interval between updates
    ``theta``      0 mV      threshold
    ``sigma``      1 mV      width of the noise (``> 0``; NEST takes any value)
    =============  ========  ===================================================

    References: Ginzburg I, Sompolinsky H (1994), Phys. Rev. E 50:3171; McCulloch WS,
    Pitts W (1943), Bull. Math. Biophys. 5:115; NEST ``erfc_neuron``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> nd.random.seed(0)
    >>> n = nd.init_all_states(nd.nest.erfc_neuron(500, tau_m=1. * u.ms, sigma=2. * u.mV))
    >>> out = nd.run(n, 50. * u.ms, monitors={"S": n.S}, inputs=lambda i, t: -2.0 * u.pA)
    >>> abs(float(out["S"][100:].mean()) - 0.159) < 0.02  # erfc(1 / sqrt(2)) / 2 = 0.159
    True
    """

    sigma = Param(u.mV, positive=True)

    def __init__(
        self,
        in_size: Any,
        tau_m: Any = 10.0 * u.ms,
        theta: Any = 0.0 * u.mV,
        sigma: Any = 1.0 * u.mV,
        name: str | None = None,
    ):
        super().__init__(in_size, tau_m, theta, name=name)
        self.sigma = sigma

    def gain(self, h: Any) -> Any:
        z = u.to_float((h - self.theta) / (jnp.sqrt(2.0) * self.sigma), u.UNITLESS)
        return 0.5 * jax.scipy.special.erfc(-z)
