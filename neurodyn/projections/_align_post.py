"""Projections whose synaptic state lives on the postsynaptic side."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core._errors import ParameterError
from ..core._module import Dynamics, Module
from ..core._state import State
from ..synapses._base import Synapse
from ..synapses._outputs import COBA, MgBlock, SynOut
from ._connectivity import Connectivity


class AlignPostProj(Module):
    r"""Spikes → connectivity → synapse → output → postsynaptic neurons.

    The synaptic variables have one element per *postsynaptic* neuron (valid for
    synapses whose dynamics are linear in their input, e.g. :class:`Expon`), so a
    step costs one synapse update per postsynaptic neuron, not per synapse.

    Each call ``proj(spikes)``: ``x = comm(spikes)``, then ``g = syn(x)``. The output
    ``out(g, V)`` is registered as a current input of ``post``, read when ``post``
    updates.

    **Arguments:**

    - ``comm``: a connectivity module (``in_size`` pre → ``out_size`` post).
    - ``syn``: a synapse with the postsynaptic population's shape.
    - ``out``: a synaptic output (:class:`CUBA`, :class:`COBA`).
    - ``post``: the postsynaptic population.
    """

    def __init__(
        self,
        comm: Connectivity,
        syn: Synapse,
        out: SynOut,
        post: Dynamics,
        name: str | None = None,
    ):
        super().__init__(name)
        _require(comm, Connectivity, "comm")
        _require(syn, Synapse, "syn")
        _require(out, SynOut, "out")
        _require(post, Dynamics, "post")
        n_post = post.num
        if comm.n_post != n_post:
            raise ParameterError(
                f"comm projects onto {comm.n_post} neurons (out_size={comm.out_size}), "
                f"but post has {n_post} (in_size={post.in_size})"
            )
        if tuple(syn.in_size) != tuple(post.in_size):
            raise ParameterError(
                f"syn has in_size={syn.in_size}, but post has in_size={post.in_size}; "
                "a post-aligned synapse needs one element per postsynaptic neuron"
            )
        check_conductance_weights(comm, out)
        self.comm, self.syn, self.out, self.post = comm, syn, out, post
        post.add_current_input(f"{self.name}-{id(self):x}", self._current)

    def _current(self, V: Any) -> Any:
        return output_current(self.name, self.out, self.syn.output(), V)

    def update(self, spikes: Any) -> Any:
        increment = self.comm(spikes)
        g_unit = u.get_unit(self.syn.output())
        if u.get_unit(increment).dim != g_unit.dim:
            raise ParameterError(
                f"{self.name}: comm's weights are in {u.get_unit(increment)} but syn's variable "
                f"is in {g_unit}; give the synapse a g_initializer in the weights' unit "
                f"(e.g. g_initializer=nd.init.ZeroInit(u.{u.get_unit(increment)}))"
            )
        if len(self.post.in_size) > 1:
            batch = u.magnitude(increment).shape[:-1]
            increment = u.math.reshape(increment, (*batch, *self.post.in_size))
        return self.syn(increment)


def check_conductance_weights(comm: Connectivity, out: SynOut) -> None:
    """Refuse negative weights before a conductance-based output."""
    if isinstance(out, (COBA, MgBlock)) and isinstance(getattr(comm, "weight", None), State):
        weight = u.magnitude(comm.weight.value)
        if not isinstance(weight, jax.core.Tracer) and bool((jnp.asarray(weight) < 0).any()):
            raise ParameterError(
                f"comm.weight must be >= 0 with a conductance-based output "
                f"({type(out).__name__}): a conductance cannot be negative, inhibition "
                f"comes from the reversal potential E; got a minimum of "
                f"{float(jnp.min(jnp.asarray(weight)))} {u.get_unit(comm.weight.value)}"
            )


def output_current(owner: str, out: SynOut, g: Any, V: Any) -> Any:
    """``out(g, V)``, checked to be a current."""
    current = out(g, V)
    if not u.same_dimension(current, u.pA):
        raise ParameterError(
            f"{owner}: out={type(out).__name__} turns the synaptic variable "
            f"(in {u.get_unit(g)}) into {u.get_unit(current)}, not a current"
        )
    return current


def _require(value: Any, kind: type, name: str) -> None:
    if not isinstance(value, kind):
        raise ParameterError(f"{name} must be a {kind.__name__}, got {type(value).__name__}")
