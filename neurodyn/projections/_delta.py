"""Projections that hand weighted spikes straight to the postsynaptic model."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..connectivity import delay_steps
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Dynamics, Module
from ..core._state import ShortTermState, State
from ..ops import csr_event_delayed
from ._align_post import _require
from ._connectivity import Connectivity


class DeltaProj(Module):
    r"""Spikes → connectivity → delta input of the postsynaptic population.

    For models that keep their synapses inside (the NEST-compatible models, or a
    voltage jump into :class:`~neurodyn.LIF`): each call ``proj(spikes)`` computes
    ``comm(spikes)`` (the summed weights per postsynaptic neuron) and ``post`` adds it
    in its next update, to the receptor named ``label`` (``None``: the default one;
    for NEST models, the weight's sign picks excitatory or inhibitory, as in NEST).

    The weights' unit is what ``post`` expects of that receptor (NEST: pA for
    ``*_psc_*``, nS for ``*_cond_*``, mV for ``iaf_psc_delta``).

    Call it once per step, before ``post``, with the spikes of the previous step: what
    it computed last is what ``post`` receives, so spikes reach ``post`` one step after
    they were emitted. With ``delay`` (``d`` steps, rounded as NEST rounds delays) they
    reach it ``d`` steps after they were emitted: the spikes passed in step ``i`` go into
    a ring buffer (:func:`neurodyn.ops.csr_event_delayed`, the network API's delivery)
    and arrive in step ``i + d - 1``; ``delay = dt`` is the default's timing.

    **Arguments:**

    - ``comm``: a connectivity module (``in_size`` pre → ``out_size`` post); with a
      ``delay``, an event-driven one (:class:`FixedProb`).
    - ``post``: the postsynaptic population.
    - ``label``: the receptor, as a delta-input label (see ``post``'s docstring).
    - ``delay``: a transmission delay (time quantity, one for all synapses or one per
      synapse of ``comm``); default: one step.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> post = nd.nest.iaf_psc_exp(3)
    >>> proj = nd.DeltaProj(nd.AllToAll(2, 3, 100. * u.pA), post)
    >>> _ = nd.init_all_states(proj)
    >>> _ = proj(jnp.array([1., 0.])); _ = post()
    >>> post.I_syn_ex.value
    Quantity([100. 100. 100.], "pA")
    """

    def __init__(
        self,
        comm: Connectivity,
        post: Dynamics,
        label: str | None = None,
        delay: Any = None,
        name: str | None = None,
    ):
        super().__init__(name)
        _require(comm, Connectivity, "comm")
        _require(post, Dynamics, "post")
        if comm.n_post != post.num:
            raise ParameterError(
                f"comm projects onto {comm.n_post} neurons (out_size={comm.out_size}), "
                f"but post has {post.num} (in_size={post.in_size})"
            )
        if label is None:
            w = np.asarray(u.magnitude(comm.weight.value))
            if (w > 0).any() and (w < 0).any():
                raise ParameterError(
                    "DeltaProj without a label needs weights of one sign (the sign picks the "
                    "receptor); split excitatory and inhibitory weights into two projections"
                )
        self.comm, self.post, self.label = comm, post, label
        self.delay_steps = None
        if delay is not None:
            if not hasattr(comm, "indptr"):
                raise ParameterError(
                    f"delay needs event-driven connectivity (FixedProb), got comm="
                    f"{type(comm).__name__}"
                )
            steps = delay_steps(delay)
            if np.ndim(steps) and np.shape(steps) != (comm.n_synapses,):
                raise ParameterError(
                    f"delay must be one value or one per synapse ({comm.n_synapses}), got "
                    f"shape {np.shape(steps)}"
                )
            self.delay_steps = State(jnp.asarray(steps, jnp.int32), name="delay_steps")
            self.n_slots = int(np.max(steps)) + 1
        post.add_delta_input(f"{self.name}-{id(self):x}", self._arrived, label=label)

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.post.varshape if batch_size is None else (batch_size, *self.post.varshape)
        unit = u.get_unit(self.comm.weight.value)
        dtype = environ.dftype()
        self.arrived = ShortTermState(u.with_unit(jnp.zeros(shape, dtype), unit), name="arrived")
        if self.delay_steps is not None:
            ring = (*shape[: -len(self.post.varshape)], self.n_slots, self.post.num)
            self.buffer = ShortTermState(jnp.zeros(ring, dtype), name="buffer")

    def _arrived(self) -> Any:
        return self.arrived.value

    def update(self, spikes: Any) -> Any:
        if self.delay_steps is None:
            increment = u.math.reshape(self.comm(spikes), self.arrived.value.shape)
            self.arrived.value = increment
            return increment
        # the spikes were emitted in the previous step: deliver them as at its end
        cursor = (environ.get("i") - 1) % self.n_slots
        weight = self.comm.weight.value
        self.buffer.value, arrived = csr_event_delayed(
            self.comm._check_input(spikes), self.comm.indptr.value, self.comm.indices.value,
            jnp.asarray(u.magnitude(weight)), self.delay_steps.value, self.buffer.value, cursor,
        )  # fmt: skip
        arrived = u.with_unit(arrived.reshape(self.arrived.value.shape), u.get_unit(weight))
        self.arrived.value = arrived
        return arrived
