r"""NEST's rate models (Hahne et al. 2017): rate neurons with input noise (``*_ipn``)
or output noise (``*_opn``), and rate transformer nodes.

Every model is a template of NEST's applied to one input nonlinearity
(:mod:`~neurodyn.nest._rate_nonlinearities`): the three templates are written once
here (:class:`rate_neuron_ipn`, :class:`rate_neuron_opn`, :class:`rate_transformer_node`,
whose nonlinearity is ``lin_rate``'s or a function you give), and each of NEST's
models is a template with a fixed nonlinearity (``tanh_rate_ipn``, ...).

Rate nodes are connected by :class:`~neurodyn.nest.RateConnection` (NEST's
``rate_connection_delayed`` and ``rate_connection_instantaneous``). In each step ``i``
a connection reads the value its source sends in that step (:meth:`RateNode.outgoing`:
the rate at the start of the step, or with output noise the noisy rate of the step),
and delivers ``weight * value`` (with ``linear_summation = False``, ``weight *
phi(value)``, ``phi`` the target's) to the target in step ``i + delay``; instantaneous
connections have delay 0. This is what NEST delivers with waveform relaxation once it
has converged. The target sums what arrives in a step by the weight's sign (the
excitatory and inhibitory input :math:`h_{ex}`, :math:`h_{in}`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._module import Dynamics
from ..core._params import Param
from ..core._state import HiddenState, ShortTermState
from ..neurons._base import initial_value
from ._rate_nonlinearities import LIN, Nonlinearity

#: Delta-input labels of the excitatory and inhibitory rate input (by the weight's sign).
RATE_EX, RATE_IN = "rate_ex", "rate_in"


def _signature(cls: type) -> inspect.Signature:
    """The constructor's signature: ``in_size``, the optional functions, every
    parameter with its default, ``rate_initializer`` and ``name``."""
    keyword = inspect.Parameter.KEYWORD_ONLY
    parameters = [inspect.Parameter("in_size", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    parameters += [inspect.Parameter(key, keyword, default=None) for key in cls.OPTIONS]
    parameters += [inspect.Parameter(key, keyword, default=default)
                   for key, (default, _) in cls.DEFAULTS.items()]  # fmt: skip
    parameters += [inspect.Parameter("rate_initializer", keyword, default=0.0),
                   inspect.Parameter("name", keyword, default=None)]  # fmt: skip
    return inspect.Signature(parameters)


class RateNode(Dynamics):
    """Base of NEST's rate models: declared parameters with defaults, the rate, its
    recording and the value sent to connections.

    A model declares ``DEFAULTS`` (parameter: ``(default, meaning)``); its constructor
    takes ``in_size``, every parameter by name, ``rate_initializer`` (the initial rate,
    NEST's status ``rate``) and ``name``.
    """

    #: Variables NEST's multimeter can record, in NEST's spelling.
    RECORDABLES: tuple[str, ...] = ("rate",)
    #: The rate connections' ports (a rate node has one, NEST's receptor 0).
    RECEPTOR_TYPES: dict[str, int] = {}
    #: Each parameter's ``(default, meaning)``.
    DEFAULTS: dict[str, tuple[Any, str]] = {}
    #: Keyword arguments of the constructor besides the parameters.
    OPTIONS: tuple[str, ...] = ()

    def __init__(self, in_size: Any, rate_initializer: Any = 0.0, name: str | None = None,
                 **params: Any):  # fmt: skip
        super().__init__(in_size, name=name)
        self.rate_initializer = rate_initializer
        self.set(**{**{key: default for key, (default, _) in self.DEFAULTS.items()}, **params})

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__signature__ = _signature(cls)

    @property
    def recordables(self) -> tuple[str, ...]:
        """The variables NEST records for this model (see :meth:`record`)."""
        return self.RECORDABLES

    def record(self, name: str) -> Any:
        """The current value of the recordable ``name`` (NEST's name)."""
        if name not in self.RECORDABLES:
            raise ParameterError(
                f"{type(self).__name__} has no recordable {name!r}; it records {self.RECORDABLES}"
            )
        return getattr(self, name).value

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        rate = initial_value("rate_initializer", self.rate_initializer, u.UNITLESS,
                             self.varshape, batch_size)  # fmt: skip
        rate = jnp.broadcast_to(jnp.asarray(rate, environ.dftype()), shape)
        self.rate = HiddenState(rate, name="rate")

    def outgoing(self) -> Any:
        """The value this node sends to its connections in the current step (read
        before the step's update): the rate at the start of the step."""
        return self.rate.value


class RateInputNode(RateNode):
    """A rate node that takes rate connections (NEST's rate neurons and transformer
    nodes): its input nonlinearity, ``linear_summation`` and the summed input."""

    NONLINEARITY: Nonlinearity = LIN
    DEFAULTS = {"linear_summation": (True, "phi of the summed input (else of each input)")}

    linear_summation = Param(flag=True)

    def _params(self, names: Any, post: Any = None) -> dict[str, Any]:
        """The values of parameters ``names`` as arrays; with ``post`` (target indices of
        connections), each connection's target's value."""
        out = {}
        for key in names:
            value = jnp.asarray(u.magnitude(getattr(self, key)), environ.dftype())
            if post is not None:
                value = jnp.broadcast_to(value, self.varshape).reshape(-1)[post]
            out[key] = value
        return out

    def phi(self, h: Any, post: Any = None) -> Any:
        """The input nonlinearity :math:`\\phi(h)` (of each connection's target, with
        ``post``)."""
        return self.NONLINEARITY.phi(h, **self._params(self.NONLINEARITY.params, post))

    def coupling(self, rate: Any) -> tuple[Any, Any]:
        """The factors :math:`H_{ex}, H_{in}` of multiplicative coupling at ``rate``."""
        nonlinearity = self.NONLINEARITY
        if nonlinearity.coupling is None:
            return 1.0, 1.0
        return nonlinearity.coupling(rate, **self._params(nonlinearity.params))

    def presynaptic(self, values: Any, post: Any) -> Any:
        """What a connection onto target ``post`` carries, before its weight, of the
        presynaptic ``values``: the values, or with ``linear_summation = False`` the
        target's :math:`\\phi` of them (NEST applies it per connection)."""
        return values if self.linear_summation else self.phi(values, post)

    def rate_inputs(self) -> tuple[Any, Any]:
        """This step's rate input by the weight's sign: :math:`(h_{ex}, h_{in})`."""
        return self.sum_delta_inputs(0.0, RATE_EX), self.sum_delta_inputs(0.0, RATE_IN)


class _RateNeuron(RateInputNode):
    """What the two rate-neuron templates share: the coupled input term."""

    tau = Param(u.ms, positive=True)
    sigma = Param(nonnegative=True)
    mu = Param()
    mult_coupling = Param(flag=True)

    RECORDABLES = ("rate", "noise")

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.noise = ShortTermState(jnp.zeros_like(self.rate.value), name="noise")

    def input_term(self, rate_sent: Any, P2: Any) -> Any:
        """:math:`P_2` times the network input of this step: :math:`\\phi(h_{ex} +
        h_{in})`, or with ``mult_coupling`` :math:`H_{ex}(X)\\phi(h_{ex}) +
        H_{in}(X)\\phi(h_{in})` at the rate ``X`` sent in this step; with
        ``linear_summation = False`` the inputs are already :math:`\\phi` of each rate."""
        h_ex, h_in = self.rate_inputs()
        if self.mult_coupling:
            H_ex, H_in = self.coupling(rate_sent)
            if self.linear_summation:
                h_ex, h_in = self.phi(h_ex), self.phi(h_in)
            return P2 * H_ex * h_ex + P2 * H_in * h_in
        if self.linear_summation:
            return P2 * self.phi(h_ex + h_in)
        return P2 * h_ex + P2 * h_in

    def draw_normal(self) -> Any:
        """One standard normal number per neuron (neurodyn's default random stream)."""
        return jax.random.normal(nd_random.split_key(), self.rate.value.shape, environ.dftype())


class _InputNoise(_RateNeuron):
    """The update of :class:`rate_neuron_ipn` (any nonlinearity)."""

    lambda_ = Param(nonnegative=True)
    rectify_rate = Param(nonnegative=True)
    rectify_output = Param(flag=True)

    DEFAULTS = {
        "tau": (10.0 * u.ms, "time constant"),
        "lambda_": (1.0, "passive decay rate (NEST's lambda)"),
        "sigma": (1.0, "noise amplitude"),
        "mu": (0.0, "mean input"),
        **RateInputNode.DEFAULTS,
        "mult_coupling": (False, "multiplicative coupling"),
        "rectify_output": (False, "clip the rate from below at rectify_rate"),
        "rectify_rate": (0.0, "lower bound of the rate with rectify_output"),
    }

    def propagators(self) -> tuple[Any, Any, Any]:
        """:math:`P_1`, :math:`P_2` and the noise factor over one step (NEST's
        ``pre_run_hook``): exact for :math:`\\lambda > 0`, Euler-Maruyama for 0."""
        h_tau = u.to_float(environ.get_dt() / self.tau, u.UNITLESS)
        lam = jnp.asarray(self.lambda_, environ.dftype())
        decays = lam > 0.0
        safe = jnp.where(decays, lam, 1.0)
        P1 = jnp.where(decays, jnp.exp(-safe * h_tau), 1.0)
        P2 = jnp.where(decays, -1.0 / safe * jnp.expm1(-safe * h_tau), h_tau)
        factor = jnp.where(decays, jnp.sqrt(-0.5 / safe * jnp.expm1(-2.0 * safe * h_tau)),
                           jnp.sqrt(h_tau))  # fmt: skip
        return P1, P2, factor

    def update(self) -> Any:
        P1, P2, noise_factor = self.propagators()
        rate = self.rate.value
        self.noise.value = jnp.asarray(self.sigma, environ.dftype()) * self.draw_normal()
        new = P1 * rate + P2 * jnp.asarray(self.mu) + noise_factor * self.noise.value
        new = new + self.input_term(rate, P2)
        if self.rectify_output:
            bound = jnp.asarray(self.rectify_rate, environ.dftype())
            new = jnp.where(new < bound, bound, new)
        self.rate.value = new
        return new


class _OutputNoise(_RateNeuron):
    """The update of :class:`rate_neuron_opn` (any nonlinearity)."""

    RECORDABLES = ("rate", "noise", "noisy_rate")
    DEFAULTS = {
        "tau": (10.0 * u.ms, "time constant"),
        "sigma": (1.0, "noise amplitude"),
        "mu": (0.0, "mean input"),
        **RateInputNode.DEFAULTS,
        "mult_coupling": (False, "multiplicative coupling"),
    }

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        self.noisy_rate = ShortTermState(self.rate.value, name="noisy_rate")
        self.xi = ShortTermState(self.draw_normal(), name="xi")

    def noise_factor(self) -> Any:
        """:math:`\\sqrt{\\tau / h_t}`: white noise held constant over a step."""
        return jnp.sqrt(u.to_float(self.tau / environ.get_dt(), u.UNITLESS))

    def outgoing(self) -> Any:
        """The noisy rate of the current step (read before the step's update)."""
        sigma = jnp.asarray(self.sigma, environ.dftype())
        return self.rate.value + self.noise_factor() * (sigma * self.xi.value)

    def update(self) -> Any:
        h_tau = u.to_float(environ.get_dt() / self.tau, u.UNITLESS)
        P1, P2 = jnp.exp(-h_tau), -jnp.expm1(-h_tau)
        noisy = self.outgoing()
        self.noise.value = jnp.asarray(self.sigma, environ.dftype()) * self.xi.value
        self.noisy_rate.value = noisy
        new = P1 * self.rate.value + P2 * jnp.asarray(self.mu)
        self.rate.value = new + self.input_term(noisy, P2)
        self.xi.value = self.draw_normal()
        return self.rate.value


class _Transformer(RateInputNode):
    """The update of :class:`rate_transformer_node` (any nonlinearity)."""

    def update(self) -> Any:
        h_ex, h_in = self.rate_inputs()
        total = h_ex + h_in
        new = self.phi(total) if self.linear_summation else total
        self.rate.value = jnp.broadcast_to(jnp.asarray(new, environ.dftype()),
                                           self.rate.value.shape)  # fmt: skip
        return self.rate.value


class _WithFunctions:
    """A template whose nonlinearity is ``lin_rate``'s, or the functions given:
    ``input_nonlinearity(h)``, ``mult_coupling_ex_fn(X)``, ``mult_coupling_in_fn(X)``."""

    NONLINEARITY = LIN
    g = LIN.declare("g")
    g_ex = LIN.declare("g_ex")
    g_in = LIN.declare("g_in")
    theta_ex = LIN.declare("theta_ex")
    theta_in = LIN.declare("theta_in")

    def __init__(self, in_size: Any, input_nonlinearity: Callable | None = None,
                 mult_coupling_ex_fn: Callable | None = None,
                 mult_coupling_in_fn: Callable | None = None, **params: Any):  # fmt: skip
        for label, fn in (("input_nonlinearity", input_nonlinearity),
                          ("mult_coupling_ex_fn", mult_coupling_ex_fn),
                          ("mult_coupling_in_fn", mult_coupling_in_fn)):  # fmt: skip
            if fn is not None and not callable(fn):
                raise ParameterError(f"{label} must be a function or None, got {fn!r}")
        super().__init__(in_size, **params)
        self.functions = (input_nonlinearity, mult_coupling_ex_fn, mult_coupling_in_fn)

    def phi(self, h: Any, post: Any = None) -> Any:
        fn = self.functions[0]
        return super().phi(h, post) if fn is None else fn(h)

    def coupling(self, rate: Any) -> tuple[Any, Any]:
        H_ex, H_in = super().coupling(rate)
        ex_fn, in_fn = self.functions[1:]
        return (H_ex if ex_fn is None else ex_fn(rate), H_in if in_fn is None else in_fn(rate))


class rate_neuron_ipn(_WithFunctions, _InputNoise):  # noqa: N801 (NEST's model name)
    r"""Rate neuron with input noise (NEST's template ``rate_neuron_ipn``; with the
    default nonlinearity NEST's ``lin_rate_ipn``).

    .. math::

       \tau \frac{dX}{dt} = -\lambda X + \mu + \phi(h) + \sqrt{\tau}\,\sigma\,\xi(t)

    with :math:`h` the rate input and :math:`\xi` Gaussian white noise, integrated
    exactly over each step :math:`h_t` (stochastic exponential Euler; Euler-Maruyama
    if :math:`\lambda = 0`):

    .. math::

       X \leftarrow P_1 X + P_2 (\mu + \text{input}) + \sqrt{\tfrac{1 - P_1^2}{2\lambda}}\,
       \sigma\,\xi_i, \qquad P_1 = e^{-\lambda h_t/\tau},\;
       P_2 = \frac{1 - P_1}{\lambda}

    where input is :math:`\phi(h_{ex} + h_{in})`, or with ``mult_coupling``
    :math:`H_{ex}(X)\phi(h_{ex}) + H_{in}(X)\phi(h_{in})` (:math:`X` the rate at the
    start of the step); with ``linear_summation = False`` :math:`\phi` is applied to
    each incoming rate and the weighted sum enters linearly. Then, with
    ``rectify_output``, :math:`X \leftarrow \max(X, \text{rectify\_rate})`.

    ==========================  ========  ===========================================
    parameter                   default   meaning
    ==========================  ========  ===========================================
    ``tau``                     10 ms     time constant
    ``lambda_``                 1         passive decay rate (NEST's ``lambda``)
    ``sigma``                   1         noise amplitude
    ``mu``                      0         mean input
    ``g``                       1         gain :math:`\phi(h) = g h`
    ``mult_coupling``           False     multiplicative coupling
    ``g_ex``, ``g_in``          1         :math:`H_{ex} = g_{ex}(\theta_{ex} - X)`,
                                          :math:`H_{in} = g_{in}(\theta_{in} + X)`
    ``theta_ex``, ``theta_in``  0         offsets of :math:`H_{ex}`, :math:`H_{in}`
    ``linear_summation``        True      :math:`\phi` of the summed input
    ``rectify_output``          False     clip the rate from below
    ``rectify_rate``            0         the lower bound of the rate
    ``rate_initializer``        0         initial rate
    ==========================  ========  ===========================================

    ``input_nonlinearity(h)``, ``mult_coupling_ex_fn(X)``, ``mult_coupling_in_fn(X)``
    (optional, JAX functions) replace :math:`\phi`, :math:`H_{ex}`, :math:`H_{in}`.
    Recordables ``rate`` and ``noise`` (:math:`\sigma \xi_i` of the last step).

    Reference: Hahne J et al. (2017) Integration of continuous-time dynamics in a
    spiking neural network simulator. Front. Neuroinform. 11:34.

    >>> import neurodyn as nd
    >>> n = nd.nest.rate_neuron_ipn(2, sigma=0.0, mu=1.0, input_nonlinearity=lambda h: h**2)
    >>> _ = nd.init_all_states(n)
    >>> for _ in range(10):
    ...     _ = n.update()
    >>> float(n.rate.value[0]) == 1.0 - float(nd.units.math.exp(-0.1))  # mu (1 - e^{-h/tau})
    True
    """

    DEFAULTS = {**_InputNoise.DEFAULTS, **LIN.params}
    OPTIONS = ("input_nonlinearity", "mult_coupling_ex_fn", "mult_coupling_in_fn")


class rate_neuron_opn(_WithFunctions, _OutputNoise):  # noqa: N801 (NEST's model name)
    r"""Rate neuron with output noise (NEST's template ``rate_neuron_opn``; with the
    default nonlinearity NEST's ``lin_rate_opn``).

    .. math::

       \tau \frac{dX}{dt} = -X + \mu + \text{input}(h), \qquad
       X_{noisy} = X + \sqrt{\tau / h_t}\,\sigma\,\xi_i

    The rate relaxes exactly over each step :math:`h_t`
    (:math:`X \leftarrow e^{-h_t/\tau} X + (1 - e^{-h_t/\tau})(\mu + \text{input})`);
    what the neuron sends in step ``i`` is the noisy rate :math:`X_{noisy}` at the
    start of the step, with its own white noise :math:`\xi_i` (piecewise constant over
    the step). The input term is as for :class:`rate_neuron_ipn`, multiplicative
    coupling evaluated at :math:`X_{noisy}`.

    ==========================  ========  ===========================================
    parameter                   default   meaning
    ==========================  ========  ===========================================
    ``tau``                     10 ms     time constant
    ``sigma``                   1         noise amplitude
    ``mu``                      0         mean input
    ``g``                       1         gain :math:`\phi(h) = g h`
    ``mult_coupling``           False     multiplicative coupling
    ``g_ex``, ``g_in``          1         :math:`H_{ex} = g_{ex}(\theta_{ex} - X)`,
                                          :math:`H_{in} = g_{in}(\theta_{in} + X)`
    ``theta_ex``, ``theta_in``  0         offsets of :math:`H_{ex}`, :math:`H_{in}`
    ``linear_summation``        True      :math:`\phi` of the summed input
    ``rate_initializer``        0         initial rate
    ==========================  ========  ===========================================

    Optional functions as for :class:`rate_neuron_ipn`. Recordables ``rate``,
    ``noise`` (:math:`\sigma\xi_i`) and ``noisy_rate``. The normal number of the
    coming step is drawn at the end of each step (state ``xi``), since connections
    read the noisy rate before the step's update.

    Reference: Hahne J et al. (2017) Front. Neuroinform. 11:34.

    >>> import neurodyn as nd
    >>> n = nd.nest.rate_neuron_opn(3, sigma=0.0, mu=2.0)
    >>> _ = nd.init_all_states(n)
    >>> _ = n.update()
    >>> bool((n.rate.value > 0).all()), float(n.noisy_rate.value[0])
    (True, 0.0)
    """

    DEFAULTS = {**_OutputNoise.DEFAULTS, **LIN.params}
    OPTIONS = ("input_nonlinearity", "mult_coupling_ex_fn", "mult_coupling_in_fn")


class rate_transformer_node(_WithFunctions, _Transformer):  # noqa: N801 (NEST's model name)
    r"""A node that applies the input nonlinearity to its rate input, without dynamics
    (NEST's template ``rate_transformer_node``; with the default nonlinearity NEST's
    ``rate_transformer_lin``).

    .. math::

       X_{i+1} = \phi(h_i) \quad\text{or, with linear\_summation = False,}\quad
       X_{i+1} = \sum_j w_j \phi(X_j)

    It sends the rate at the start of a step, so a transformer between two nodes adds
    one step to the path.

    ======================  ========  ===============================================
    parameter               default   meaning
    ======================  ========  ===============================================
    ``g``                   1         gain :math:`\phi(h) = g h`
    ``linear_summation``    True      :math:`\phi` of the summed input
    ``rate_initializer``    0         initial rate
    ======================  ========  ===============================================

    ``input_nonlinearity(h)`` (optional) replaces :math:`\phi`. Recordable ``rate``.

    Reference: Hahne J et al. (2017) Front. Neuroinform. 11:34.

    >>> import neurodyn as nd
    >>> n = nd.nest.rate_transformer_node(2, rate_initializer=0.5)
    >>> _ = nd.init_all_states(n)
    >>> float(n.update()[0])  # no input: g * 0
    0.0
    """

    DEFAULTS = {**_Transformer.DEFAULTS, **LIN.params}
    OPTIONS = ("input_nonlinearity",)

    def __init__(self, in_size: Any, input_nonlinearity: Callable | None = None,
                 **params: Any):  # fmt: skip
        super().__init__(in_size, input_nonlinearity, **params)
