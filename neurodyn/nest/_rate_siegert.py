r"""NEST's ``siegert_neuron`` (the mean-field rate of a leaky integrate-and-fire
neuron in the diffusion limit) and its ``diffusion_connection``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..connectivity import Connections
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import Param
from ..core._state import ShortTermState, State
from ._rate import RateNode

#: Delta-input labels of the mean and the variance of the input.
DRIFT, DIFFUSION = "drift", "diffusion"
#: :math:`|\zeta(1/2)|\sqrt{2}`: the shift of threshold and reset by synaptic
#: filtering (Fourcaud & Brunel 2002).
_ALPHA = 2.0652531522312172
#: Gauss-Legendre rule on each of ``_PANELS`` panels (in ``asinh`` of the variable)
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(12)
_PANELS = 32


def erfcx_integral(lower: Any, upper: Any) -> Any:
    r""":math:`\int_{lower}^{upper} e^{s^2}\operatorname{erfc}(s)\,ds` for bounds
    :math:`\ge 0`, to about machine precision: Gauss-Legendre on panels even in
    :math:`v = \operatorname{asinh} s` (the integrand decays like :math:`1/s`)."""
    a, b = jnp.arcsinh(lower), jnp.arcsinh(upper)
    width = (b - a) / _PANELS
    starts = a[..., None] + width[..., None] * jnp.arange(_PANELS)  # (..., panels)
    nodes, weights = (jnp.asarray(x, environ.dftype()) for x in (_NODES, _WEIGHTS))
    v = starts[..., None] + 0.5 * width[..., None, None] * (nodes + 1.0)
    values = jax.scipy.special.erfcx(jnp.sinh(v)) * jnp.cosh(v)
    return 0.5 * width * jnp.sum(values * weights, axis=(-2, -1))


@jax.jit
def siegert_rate(mu: Any, sigma_square: Any, tau_m: Any, t_ref: Any, tau_syn: Any,
                 theta: Any, V_reset: Any) -> Any:  # fmt: skip
    """The Siegert rate in Hz of :class:`siegert_neuron` (times in ms, voltages in mV;
    one compiled function, also when called step by step)."""
    sigma = jnp.sqrt(sigma_square)
    silent = (theta - mu) > 6.0 * sigma
    safe_sigma = jnp.where(silent | (sigma == 0.0), 1.0, sigma)
    shift = _ALPHA / 2.0 * jnp.sqrt(tau_syn / tau_m)
    y_th = (theta - mu) / safe_sigma + shift
    y_r = (V_reset - mu) / safe_sigma + shift
    below, above = y_r > 0.0, y_th < 0.0  # the mean below reset, above threshold
    lower = jnp.where(below, y_r, jnp.where(above, -y_th, y_th))
    upper = jnp.where(below, y_th, -y_r)
    result = erfcx_integral(lower, upper)
    dawson = jax.scipy.special.dawsn
    e_th = jnp.exp(-y_th * y_th)
    integral = jnp.where(
        below,
        2.0 * dawson(y_th) - 2.0 * jnp.exp(y_r * y_r - y_th * y_th) * dawson(y_r)
        - e_th * result,
        2.0 * dawson(y_th) + e_th * result,
    )  # fmt: skip
    root_pi = np.sqrt(np.pi)
    rate = jnp.where(
        above,
        1e3 / (t_ref + tau_m * root_pi * result),
        1e3 * e_th / (e_th * t_ref + tau_m * root_pi * integral),
    )
    return jnp.where(silent, 0.0, rate)


class siegert_neuron(RateNode):  # noqa: N801 (NEST's model name)
    r"""Mean-field rate of a population of leaky integrate-and-fire neurons
    (Siegert 1951; Fourcaud & Brunel 2002; NEST ``siegert_neuron``).

    .. math::

       \tau \frac{dr}{dt} = -r + \text{mean} + \Phi(\mu, \sigma^2),
       \qquad \Phi = \Bigl(t_{ref} + \tau_m \sqrt{\pi}
       \int_{y_r}^{y_{th}} e^{s^2}(1 + \operatorname{erf} s)\,ds\Bigr)^{-1},

       y_{th} = \frac{\theta - \mu}{\sigma} + \frac{\alpha}{2}\sqrt{\frac{\tau_{syn}}{\tau_m}},
       \qquad y_r = \frac{V_{reset} - \mu}{\sigma} + \frac{\alpha}{2}
       \sqrt{\frac{\tau_{syn}}{\tau_m}}

    with :math:`\mu`, :math:`\sigma^2` the summed drift and diffusion input of this
    step (:class:`DiffusionConnection`), :math:`\alpha = \sqrt{2}|\zeta(1/2)|`, and
    :math:`\Phi = 0` where :math:`\theta - \mu > 6\sigma`. The integral is evaluated
    as NEST does, through the scaled complementary error function and Dawson's
    function on positive arguments, by Gauss-Legendre quadrature (NEST: adaptive GSL
    quadrature to a relative 1.5e-8). The rate (in Hz) relaxes exactly over a step:
    :math:`r \leftarrow e^{-h/\tau} r + (1 - e^{-h/\tau})(\text{mean} + \Phi)`.

    ===============  ========  ==============================================
    parameter        default   meaning
    ===============  ========  ==============================================
    ``tau``          1 ms      time constant of the rate
    ``tau_m``        5 ms      membrane time constant
    ``tau_syn``      0 ms      synaptic time constant
    ``t_ref``        2 ms      refractory period
    ``mean``         0         constant rate added to :math:`\Phi` (Hz)
    ``theta``        15 mV     threshold (relative to rest)
    ``V_reset``      0 mV      reset (relative to rest; below ``theta``)
    ===============  ========  ==============================================

    Recordable ``rate``. References: Siegert AJF (1951) Phys. Rev. 81:617; Fourcaud N,
    Brunel N (2002) Neural Comput. 14:2057; Hahne J et al. (2017) Front.
    Neuroinform. 11:34.

    >>> import neurodyn as nd
    >>> n = nd.nest.siegert_neuron(2, mean=10.0)
    >>> _ = nd.init_all_states(n)
    >>> round(float(n.update()[0]), 6)  # no input: the rate relaxes to mean
    0.951626
    """

    tau = Param(u.ms, positive=True)
    tau_m = Param(u.ms, positive=True)
    tau_syn = Param(u.ms, nonnegative=True)
    t_ref = Param(u.ms, nonnegative=True)
    mean = Param()
    theta = Param(u.mV)
    V_reset = Param(u.mV)
    ORDERED = (("V_reset", "theta"),)

    DEFAULTS = {
        "tau": (1.0 * u.ms, "time constant of the rate"),
        "tau_m": (5.0 * u.ms, "membrane time constant"),
        "tau_syn": (0.0 * u.ms, "synaptic time constant"),
        "t_ref": (2.0 * u.ms, "refractory period"),
        "mean": (0.0, "constant rate added (Hz)"),
        "theta": (15.0 * u.mV, "threshold relative to rest"),
        "V_reset": (0.0 * u.mV, "reset relative to rest"),
    }

    def siegert(self, mu: Any, sigma_square: Any) -> Any:
        """:math:`\\Phi(\\mu, \\sigma^2)` in Hz (``mu`` in mV, ``sigma_square`` in mV²)."""
        return siegert_rate(
            mu, sigma_square, u.to_float(self.tau_m, u.ms), u.to_float(self.t_ref, u.ms),
            u.to_float(self.tau_syn, u.ms), u.to_float(self.theta, u.mV),
            u.to_float(self.V_reset, u.mV),
        )  # fmt: skip

    def update(self) -> Any:
        h_tau = u.to_float(environ.get_dt() / self.tau, u.UNITLESS)
        drift = self.sum_delta_inputs(0.0, DRIFT)
        diffusion = self.sum_delta_inputs(0.0, DIFFUSION)
        drive = self.siegert(drift, diffusion)
        mean = jnp.asarray(self.mean, environ.dftype())
        self.rate.value = jnp.exp(-h_tau) * self.rate.value - jnp.expm1(-h_tau) * (mean + drive)
        return self.rate.value


class DiffusionConnection(Module):
    r"""NEST's ``diffusion_connection`` from ``siegert_neuron`` nodes ``pre`` to
    ``siegert_neuron`` nodes ``post``: in each step connection ``k`` adds
    ``drift_factor[k]`` times its source's rate (at the start of the step) to the
    target's :math:`\mu` and ``diffusion_factor[k]`` times it to :math:`\sigma^2`
    (both default 1). It has no delay: as NEST's waveform relaxation converges to.
    Call it in every step before the nodes' updates (the network API does).

    **Arguments:** ``pre``, ``post``; ``connections``
    (:class:`~neurodyn.connectivity.Connections`, without weights or delays);
    ``drift_factor``, ``diffusion_factor``: one value or one per connection.

    >>> import neurodyn as nd
    >>> from neurodyn.connectivity import Connections
    >>> a = nd.nest.siegert_neuron(1, rate_initializer=20.0, mean=20.0)
    >>> b = nd.nest.siegert_neuron(1)
    >>> c = nd.nest.DiffusionConnection(a, b, Connections([0], [0], 1, 1), drift_factor=1.0,
    ...                                 diffusion_factor=2.0)
    >>> _ = nd.init_all_states(c)
    >>> c.update().tolist()  # mu = 20 mV, sigma^2 = 40 mV^2 for b in this step
    [[20.0], [40.0]]
    """

    def __init__(self, pre: RateNode, post: RateNode, connections: Connections,
                 drift_factor: Any = 1.0, diffusion_factor: Any = 1.0,
                 name: str | None = None):  # fmt: skip
        super().__init__(name)
        for side, node in (("pre", pre), ("post", post)):
            if not isinstance(node, siegert_neuron):
                raise ParameterError(
                    f"DiffusionConnection.{side} must be a siegert_neuron, got "
                    f"{type(node).__name__}"
                )
        if (connections.n_pre, connections.n_post) != (pre.num, post.num):
            raise ParameterError(
                f"connections are {connections.n_pre} -> {connections.n_post} neurons, but "
                f"pre has {pre.num} and post {post.num}"
            )
        if connections.delay is not None:
            raise ParameterError("diffusion_connection has no delay (NEST's rule)")
        n = connections.n_connections
        factors = {}
        for label, value in (("drift_factor", drift_factor),
                             ("diffusion_factor", diffusion_factor)):  # fmt: skip
            if u.has_unit(value) or not np.all(np.isfinite(np.asarray(value, float))):
                raise ParameterError(f"{label} must be finite plain numbers, got {value!r}")
            factors[label] = np.broadcast_to(np.asarray(value, float), (n,))
        self.pre, self.post = pre, post
        self.source = State(jnp.asarray(connections.pre, jnp.int32), name="source")
        self.target = State(jnp.asarray(connections.post, jnp.int32), name="target")
        dtype = environ.dftype()
        self.drift_factor = State(jnp.asarray(factors["drift_factor"], dtype), "drift_factor")
        self.diffusion_factor = State(
            jnp.asarray(factors["diffusion_factor"], dtype), "diffusion_factor"
        )
        key, shape = f"{self.name}-{id(self):x}", post.varshape
        post.add_delta_input(f"{key}-drift", lambda: self.arrived.value[0].reshape(shape),
                             label=DRIFT)  # fmt: skip
        post.add_delta_input(f"{key}-diffusion", lambda: self.arrived.value[1].reshape(shape),
                             label=DIFFUSION)  # fmt: skip

    def init_state(self, batch_size: int | None = None) -> None:
        self.arrived = ShortTermState(jnp.zeros((2, self.post.num), environ.dftype()), "arrived")

    def update(self) -> Any:
        """Step ``i``: the drift and diffusion input of this step."""
        sent = jnp.reshape(self.pre.outgoing(), (-1,))[self.source.value]
        values = jnp.stack([self.drift_factor.value * sent, self.diffusion_factor.value * sent])
        summed = jax.ops.segment_sum(values.T, self.target.value, num_segments=self.post.num)
        self.arrived.value = summed.T
        return self.arrived.value
