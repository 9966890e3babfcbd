"""Projections that send a presynaptic signal through the connectivity into an output current."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Dynamics, Module
from ..core._state import ShortTermState
from ..init import initialize
from ..synapses._base import Synapse
from ..synapses._outputs import SynOut
from ._align_post import _require, check_conductance_weights, output_current
from ._connectivity import Connectivity


class CurrentProj(Module):
    r"""Presynaptic signal → connectivity → output → current of the postsynaptic neurons.

    .. math::

       g_j = \sum_i W_{ij}\, x_i, \qquad I_j = \mathrm{out}(g_j, V_j)

    No synapse of its own: each call ``proj(x)`` sends a presynaptic signal ``x``
    (rates, spikes, a presynaptic synaptic variable) through ``comm`` and keeps the
    result ``g``; ``out(g, V)`` is registered as a current input of ``post``, read
    whenever ``post`` evaluates its membrane equation. Call it in each step before
    ``post``: the current of a step comes from the signal of that step.

    ``x`` is dimensionless (0/1 spikes, a fraction, a rate in the unit you chose);
    the weights of ``comm`` carry the unit of ``g`` (e.g. nS before
    :class:`~neurodyn.COBA`, pA before :class:`~neurodyn.CUBA`).

    **Arguments:**

    - ``comm``: a connectivity module (``in_size`` pre → ``out_size`` post).
    - ``out``: a synaptic output (:class:`CUBA`, :class:`COBA`, :class:`MgBlock`).
    - ``post``: the postsynaptic population.

    State: ``g`` (the signal per postsynaptic neuron, in the weights' unit; 0 until
    the first call).

    Follows ``brainpy.state.CurrentProj``.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> post = nd.LIF(2, R=1. * u.Mohm)
    >>> proj = nd.projections.CurrentProj(nd.AllToAll(3, 2, 10. * u.pA), nd.CUBA(), post)
    >>> _ = nd.init_all_states(proj)
    >>> proj(jnp.array([0.5, 1., 0.]))  # rates of three sources: 15 pA into each neuron
    Quantity([15. 15.], "pA")
    >>> post.sum_current_inputs(0. * u.pA, post.V.value)
    Quantity([15. 15.], "pA")
    """

    def __init__(self, comm: Connectivity, out: SynOut, post: Dynamics, name: str | None = None):
        super().__init__(name)
        _require(comm, Connectivity, "comm")
        _require(out, SynOut, "out")
        _require(post, Dynamics, "post")
        if comm.n_post != post.num:
            raise ParameterError(
                f"comm projects onto {comm.n_post} neurons (out_size={comm.out_size}), "
                f"but post has {post.num} (in_size={post.in_size})"
            )
        check_conductance_weights(comm, out)
        self.comm, self.out, self.post = comm, out, post
        post.add_current_input(f"{self.name}-{id(self):x}", self._current)

    def init_state(self, batch_size: int | None = None) -> None:
        shape = self.post.varshape if batch_size is None else (batch_size, *self.post.varshape)
        unit = u.get_unit(self.comm.weight.value)
        self.g = ShortTermState(u.with_unit(jnp.zeros(shape, environ.dftype()), unit), name="g")

    def _current(self, V: Any) -> Any:
        return output_current(self.name, self.out, self.g.value, V)

    def update(self, x: Any) -> Any:
        if u.has_unit(x):
            raise ParameterError(
                f"{self.name}: the presynaptic signal must be dimensionless (the weights of "
                f"comm carry the unit), got {u.describe(x)}"
            )
        g = self.comm(x)
        batch = jnp.shape(u.magnitude(g))[:-1]
        self.g.value = u.math.reshape(g, (*batch, *self.post.varshape))
        return self.g.value


class AlignPreProj(CurrentProj):
    r"""Spikes → [short-term plasticity] → synapse → connectivity → output → postsynaptic neurons.

    .. math::

       g_j(t) = \sum_i W_{ij}\, s_i(t), \qquad I_j = \mathrm{out}(g_j, V_j)

    The synapse is aligned with the *presynaptic* population: one synaptic variable
    :math:`s_i` per presynaptic neuron, driven by that neuron's spikes alone. It is
    exact for any synapse model, also those whose response is not linear in their
    input (:class:`AMPA`, :class:`NMDA`, :class:`BioNMDA` with converging inputs,
    where :class:`AlignPostProj` is exact only for one synapse per postsynaptic
    element); for linear ones (:class:`Expon`) both give the same result. The price:
    the synaptic variables are nonzero long after a spike, so each step sends the
    whole vector :math:`s` through ``comm``, a cost of one weight per synapse and
    step (:class:`AlignPostProj` updates one variable per postsynaptic neuron and
    delivers spikes only).

    Each call ``proj(spikes)``: ``s = syn(stp(spikes))`` (``syn(spikes)`` without
    ``stp``), then ``g = comm(s)``; ``out(g, V)`` is registered as a current input
    of ``post`` (see :class:`CurrentProj`). Call it in each step before ``post``.

    The synaptic variable is dimensionless (give the synapse
    ``g_initializer=nd.init.ZeroInit()``; :class:`AMPA`, :class:`NMDA` and
    :class:`BioNMDA` have it by default) and the weights carry the unit of ``g``.

    **Arguments:**

    - ``comm``: a connectivity module (``in_size`` pre → ``out_size`` post).
    - ``syn``: a synapse with the presynaptic population's size (``comm.in_size``).
    - ``out``: a synaptic output (:class:`CUBA`, :class:`COBA`, :class:`MgBlock`).
    - ``post``: the postsynaptic population.
    - ``stp``: optional short-term plasticity (:class:`STP`, :class:`STD`) of the
      presynaptic neurons, scaling each spike by its efficacy before the synapse.

    State: ``g``, as :class:`CurrentProj`.

    Follows ``brainpy.state.align_pre_projection`` (with its spike generator left to
    the caller: pass the presynaptic spikes).

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> post = nd.LIF(2, V_rest=-65. * u.mV, V_th=-50. * u.mV, R=0.1 * u.Gohm)
    >>> proj = nd.projections.AlignPreProj(
    ...     comm=nd.AllToAll(3, 2, jnp.array([[1., 0.], [2., 2.], [0., 1.]]) * u.nS),
    ...     syn=nd.Expon(3, tau=5. * u.ms, g_initializer=nd.init.ZeroInit()),
    ...     out=nd.COBA(E=0. * u.mV), post=post)
    >>> _ = nd.init_all_states(proj)
    >>> proj(jnp.array([1., 1., 0.]))  # s jumps to 1 for the spiking neurons
    Quantity([3. 2.], "nS")
    >>> proj(jnp.zeros(3))  # and decays with tau: 3 nS * exp(-0.1 / 5)
    Quantity([2.940... 1.960...], "nS")
    """

    def __init__(
        self,
        comm: Connectivity,
        syn: Synapse,
        out: SynOut,
        post: Dynamics,
        stp: Synapse | None = None,
        name: str | None = None,
    ):
        super().__init__(comm, out, post, name)
        _require(syn, Synapse, "syn")
        if syn.num != comm.n_pre:
            raise ParameterError(
                f"syn has in_size={syn.in_size}, but comm starts from {comm.n_pre} neurons "
                f"(in_size={comm.in_size}); a pre-aligned synapse needs one element per "
                "presynaptic neuron"
            )
        if u.has_unit(initialize(syn.g_initializer, (1,))):
            raise ParameterError(
                f"syn's variable must be dimensionless (the weights of comm carry the unit), "
                f"but its g_initializer gives {u.get_unit(initialize(syn.g_initializer, (1,)))}; "
                "give the synapse g_initializer=nd.init.ZeroInit()"
            )
        if stp is not None:
            _require(stp, Synapse, "stp")
            if stp.num != comm.n_pre:
                raise ParameterError(
                    f"stp has in_size={stp.in_size}, but comm starts from {comm.n_pre} "
                    f"neurons (in_size={comm.in_size})"
                )
        self.syn, self.stp = syn, stp

    def update(self, spikes: Any) -> Any:
        return super().update(self.syn(spikes if self.stp is None else self.stp(spikes)))
