"""Connections between rate nodes: NEST's ``rate_connection_delayed`` and
``rate_connection_instantaneous``."""

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
from ..core._state import ShortTermState, State
from ._rate import RATE_EX, RATE_IN, RateInputNode


class RateConnection(Module):
    r"""Rate connections from the rate nodes ``pre`` to the rate nodes ``post``.

    In step ``i`` connection ``k`` reads what its source sends in that step
    (:meth:`~neurodyn.nest.RateNode.outgoing`: the rate at the start of the step, or the
    noisy rate of an output-noise neuron) and delivers :math:`w_k x` to its target in
    step ``i + d_k`` (:math:`w_k \phi(x)` if the target has ``linear_summation =
    False``, :math:`\phi` the target's nonlinearity): into the excitatory input
    :math:`h_{ex}` if :math:`w_k \ge 0`, else into :math:`h_{in}`.

    - ``instantaneous=False`` is NEST's ``rate_connection_delayed``: the delays ``d_k``
      (at least one step, rounded as NEST rounds delays; default one step) come from
      the connections.
    - ``instantaneous=True`` is NEST's ``rate_connection_instantaneous``: ``d_k = 0``,
      the target reads the source's value of the same step. NEST computes this by
      waveform relaxation (``use_wfr``), iterating over each communication interval;
      this is the result it converges to (without waveform relaxation NEST instead
      holds the value of the end of the previous interval over an interval).

    Call it in every step before the nodes' updates (the network API does).

    **Arguments:**

    - ``pre``, ``post``: rate neurons or transformer nodes.
    - ``connections``: :class:`~neurodyn.connectivity.Connections` from ``pre`` to
      ``post``, dimensionless weights (NEST's default 1) and, for delayed ones, delays.
    - ``instantaneous``: see above.

    States: ``buffer`` (slots × excitatory/inhibitory × targets) and ``arrived``
    (what arrives in this step, excitatory and inhibitory).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn.connectivity import Connections
    >>> a = nd.nest.lin_rate_ipn(1, sigma=0.0, lambda_=0.0, rate_initializer=2.0)
    >>> b = nd.nest.lin_rate_ipn(1, sigma=0.0, lambda_=0.0, tau=1.0 * u.ms)
    >>> c = nd.nest.RateConnection(a, b, Connections([0], [0], 1, 1, weight=0.5,
    ...                                              delay=0.2 * u.ms))
    >>> _ = nd.init_all_states(c)  # and its nodes
    >>> for i in range(3):
    ...     with nd.environ.context(i=i):
    ...         _ = c.update(); _ = a.update(); _ = b.update()
    >>> round(float(b.rate.value[0]), 6)  # 0.5 * 2 arrives in step 2: h/tau * 1
    0.1
    """

    def __init__(self, pre: RateInputNode, post: RateInputNode, connections: Connections,
                 instantaneous: bool = False, name: str | None = None):  # fmt: skip
        super().__init__(name)
        for side, node in (("pre", pre), ("post", post)):
            if not isinstance(node, RateInputNode):
                raise ParameterError(
                    f"RateConnection.{side} must be a rate neuron or transformer node (a NEST "
                    f"rate model), got {type(node).__name__}"
                )
        if (connections.n_pre, connections.n_post) != (pre.num, post.num):
            raise ParameterError(
                f"connections are {connections.n_pre} -> {connections.n_post} neurons, but "
                f"pre has {pre.num} and post {post.num}"
            )
        if u.has_unit(connections.weight):
            raise ParameterError(
                f"the weight of a rate connection is a plain number, got "
                f"{u.describe(connections.weight)}"
            )
        if instantaneous:
            if connections.delay is not None:
                raise ParameterError(
                    "rate_connection_instantaneous has no delay (NEST's rule); give "
                    "connections without one"
                )
            delays = np.zeros(connections.n_connections, np.int32)
        else:
            delays = np.broadcast_to(connections.delay_steps(environ.get_dt()),
                                     (connections.n_connections,))  # fmt: skip
        self.pre, self.post, self.instantaneous = pre, post, bool(instantaneous)
        self.n_slots = int(delays.max()) + 1 if delays.size else 1
        weight = np.broadcast_to(np.asarray(connections.weight, float),
                                 (connections.n_connections,))  # fmt: skip
        # the structure in states: compiled programs take it as arguments
        self.source = State(jnp.asarray(connections.pre, jnp.int32), name="source")
        self.target = State(jnp.asarray(connections.post, jnp.int32), name="target")
        self.weight = State(jnp.asarray(weight, environ.dftype()), name="weight")
        self.delay = State(jnp.asarray(delays, jnp.int32), name="delay")
        key = f"{self.name}-{id(self):x}"
        shape = post.varshape
        post.add_delta_input(f"{key}-ex", lambda: self.arrived.value[0].reshape(shape),
                             label=RATE_EX)  # fmt: skip
        post.add_delta_input(f"{key}-in", lambda: self.arrived.value[1].reshape(shape),
                             label=RATE_IN)  # fmt: skip

    def init_state(self, batch_size: int | None = None) -> None:
        dtype = environ.dftype()
        n_target = self.post.num
        self.buffer = ShortTermState(jnp.zeros((self.n_slots, 2, n_target), dtype), "buffer")
        self.arrived = ShortTermState(jnp.zeros((2, n_target), dtype), name="arrived")

    def update(self) -> Any:
        """Step ``i``: send the sources' values of this step into the slots of steps
        ``i + d``, and take out what arrives in step ``i``."""
        sent = jnp.reshape(self.pre.outgoing(), (-1,))[self.source.value]
        carried = self.weight.value * self.post.presynaptic(sent, self.target.value)
        # one row per (slot, sign, target): sum what each connection carries into it
        rows = (self.weight.value < 0.0).astype(jnp.int32) * self.post.num + self.target.value
        if self.n_slots == 1:  # instantaneous: no buffer
            self.arrived.value = _summed(carried, rows, (2, self.post.num))
            return self.arrived.value
        now = environ.get("i") % self.n_slots
        rows = (now + self.delay.value) % self.n_slots * (2 * self.post.num) + rows
        buffer = self.buffer.value + _summed(carried, rows, self.buffer.value.shape)
        self.arrived.value = buffer[now]
        self.buffer.value = buffer.at[now].set(0.0)
        return self.arrived.value


def _summed(values: Any, rows: Any, shape: tuple[int, ...]) -> Any:
    """``values`` summed by ``rows`` (flat indices into ``shape``), shaped ``shape``."""
    size = int(np.prod(shape))
    return jax.ops.segment_sum(values, rows, num_segments=size).reshape(shape)
