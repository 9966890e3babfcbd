"""Pair-based spike-timing-dependent plasticity (STDP) of a projection's weights."""

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
from ..core._params import ANY_UNIT, Param
from ..core._state import HiddenState, State
from ..projections import AlignPostProj, AllToAll, FixedProb
from ..synapses import COBA, MgBlock
from ._synapse_rows import SynapseRows

PAIRINGS = ("all", "nearest")
WEIGHT_DEPENDENCES = ("additive", "multiplicative")


class STDP(Module):
    r"""Pair-based STDP of the weights of an :class:`~neurodyn.AlignPostProj`.

    Each presynaptic neuron :math:`i` keeps a trace :math:`x_i`, each postsynaptic
    neuron :math:`j` a trace :math:`y_j`; between spikes they decay,

    .. math::

       \tau_+ \frac{dx_i}{dt} = -x_i, \qquad \tau_- \frac{dy_j}{dt} = -y_j,

    and at a spike they jump: by 1 with ``pairing="all"`` (all-to-all pairing: the
    trace sums every earlier spike), to 1 with ``pairing="nearest"`` (symmetric
    nearest-neighbour pairing: the trace sees only the latest spike). A presynaptic
    spike of :math:`i` depresses each synapse :math:`i \to j` it leaves, a
    postsynaptic spike of :math:`j` potentiates each synapse :math:`i \to j` it reaches,

    .. math::

       w_{ij} \leftarrow \mathrm{clip}\big(w_{ij} - A_-\, R_-(w_{ij})\, y_j\big),
       \qquad
       w_{ij} \leftarrow \mathrm{clip}\big(w_{ij} + A_+\, R_+(w_{ij})\, x_i\big),

    clipped to :math:`[w_{min}, w_{max}]`, with :math:`R_\pm = w_{max} - w_{min}`
    (``weight_dependence="additive"``, Song, Miller & Abbott 2000) or
    :math:`R_+ = w_{max} - w`, :math:`R_- = w - w_{min}` (``"multiplicative"``: soft
    bounds, Rubin, Lee & Sompolinsky 2001; Gütig et al. 2003). Without clipping, the
    all-to-all rule sums the pair window over every pre/post pair,
    :math:`\Delta w_{ij} = \sum F(t_j - t_i)` with
    :math:`F(\Delta t) = A_+ R\, e^{-\Delta t/\tau_+}` for :math:`\Delta t \ge 0` and
    :math:`-A_- R\, e^{\Delta t/\tau_-}` for :math:`\Delta t < 0`; the nearest rule
    pairs each presynaptic spike with the latest earlier postsynaptic spike and each
    postsynaptic spike with the latest presynaptic one (Morrison, Diesmann & Gerstner
    2008, the symmetric nearest-spike scheme).

    **Timing.** Call ``stdp(pre_spikes, post_spikes)`` once per step, after the
    postsynaptic population updated, with the spikes the projection was handed in
    this step and the spikes ``post`` emitted in this step. Spikes of step :math:`n`
    are taken to occur at one instant, :math:`t_n = (n + 1)\, dt`, so pairs are whole
    steps apart. A step does, in order: (1) decay both traces by one step; (2) add
    this step's presynaptic spikes to :math:`x`; (3) depress the outgoing synapses of
    the spiking presynaptic neurons with :math:`y` and clip; (4) potentiate the
    incoming synapses of the spiking postsynaptic neurons with :math:`x` and clip;
    (5) add this step's postsynaptic spikes to :math:`y`. A pre and a post spike of
    the same step are therefore a causal pair with :math:`\Delta t = 0`
    (potentiation by :math:`A_+ R_+`, no depression): a spike handed to the projection
    in step :math:`n` already drives ``post`` in step :math:`n`.

    ===================== ================ =============== ==============================
    parameter             default          symbol          meaning
    ===================== ================ =============== ==============================
    ``proj``              --                               the projection that learns
    ``w_max``             --               :math:`w_{max}` upper bound (weights' unit)
    ``w_min``             0                :math:`w_{min}` lower bound (weights' unit)
    ``tau_plus``          20 ms            :math:`\tau_+`  presynaptic trace, potentiation
    ``tau_minus``         20 ms            :math:`\tau_-`  postsynaptic trace, depression
    ``A_plus``            0.005            :math:`A_+`     potentiation, fraction of R+
    ``A_minus``           0.00525          :math:`A_-`     depression, fraction of R-
    ``pairing``           ``"all"``                        or ``"nearest"``
    ``weight_dependence`` ``"additive"``                   or ``"multiplicative"``
    ===================== ================ =============== ==============================

    The defaults of :math:`A_\pm` and :math:`\tau_\pm` are Song, Miller & Abbott's
    (2000). Every weight must lie in :math:`[w_{min}, w_{max}]`; with a
    conductance-based output (:class:`~neurodyn.COBA`), :math:`w_{min} \ge 0`.

    States: ``pre_trace`` (:math:`x`, one per presynaptic neuron) and ``post_trace``
    (:math:`y`, one per postsynaptic neuron), dimensionless :class:`HiddenState`.
    The weights are the projection's own state, ``proj.comm.weight`` (also
    :attr:`weight`): delivery reads what learning wrote, and it holds the learned
    weights after a run. A homogeneous (scalar) :class:`~neurodyn.FixedProb` weight
    becomes one weight per synapse. One set of weights is learned: the states cannot
    be batched. :func:`~neurodyn.reset_all_states` clears the traces and keeps the
    learned weights.

    **Cost per step.** :class:`~neurodyn.FixedProb`: event-driven. The spiking
    neurons are listed (O(neurons)) and only their synapses visited: the outgoing
    ones in the CSR rows by presynaptic neuron (depression), the incoming ones through
    the post-sorted view of :class:`~neurodyn.connectivity.Connections`
    (potentiation), so a step costs O(neurons + spikes × fan-out or fan-in); when the
    spiking neurons hold over a quarter of the synapses, one O(synapses) pass is done
    instead. :class:`~neurodyn.AllToAll`: a masked update of the whole weight matrix,
    O(synapses), skipped in steps without spikes.

    References: Song, Miller & Abbott (2000), Nat. Neurosci. 3:919; Bi & Poo (1998),
    J. Neurosci. 18:10464; Rubin, Lee & Sompolinsky (2001), Phys. Rev. Lett. 86:364;
    Gütig, Aharonov, Rotter & Sompolinsky (2003), J. Neurosci. 23:3697; Morrison,
    Diesmann & Gerstner (2008), Biol. Cybern. 98:459.

    A presynaptic spike 1 ms before a postsynaptic one potentiates its synapse by
    :math:`A_+ w_{max} e^{-1/20}`, one 1 ms after depresses the other synapse:

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn.plasticity import STDP
    >>> proj = nd.AlignPostProj(nd.AllToAll(2, 1, 0.5 * u.nS),
    ...                         nd.Expon(1, g_initializer=nd.init.ZeroInit(u.nS)),
    ...                         nd.COBA(E=0. * u.mV), nd.LIF(1))
    >>> stdp = STDP(proj, w_max=1. * u.nS, A_plus=0.1, A_minus=0.1)
    >>> _ = nd.init_all_states(stdp)
    >>> pre = jnp.zeros((21, 2)).at[0, 0].set(1.).at[20, 1].set(1.)
    >>> post = jnp.zeros((21, 1)).at[10, 0].set(1.)
    >>> _ = nd.for_loop(stdp, pre, post)
    >>> stdp.weight.value
    Quantity([[0.5951...]
              [0.4048...]], "nS")
    """

    ORDERED = (("w_min", "w_max"),)
    w_min = Param(ANY_UNIT, per_neuron=False)
    w_max = Param(ANY_UNIT, per_neuron=False)
    tau_plus = Param(u.ms, positive=True, per_neuron=False)
    tau_minus = Param(u.ms, positive=True, per_neuron=False)
    A_plus = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    A_minus = Param(u.UNITLESS, nonnegative=True, per_neuron=False)

    def __init__(
        self,
        proj: AlignPostProj,
        w_max: Any,
        w_min: Any = None,
        tau_plus: Any = 20.0 * u.ms,
        tau_minus: Any = 20.0 * u.ms,
        A_plus: Any = 0.005,
        A_minus: Any = 0.00525,
        pairing: str = "all",
        weight_dependence: str = "additive",
        name: str | None = None,
    ):
        super().__init__(name)
        if not isinstance(proj, AlignPostProj):
            raise ParameterError(f"proj must be an AlignPostProj, got {type(proj).__name__}")
        if not isinstance(proj.comm, (AllToAll, FixedProb)):
            raise ParameterError(
                f"proj.comm must be AllToAll or FixedProb (connectivity with one weight per "
                f"synapse to learn), got {type(proj.comm).__name__}"
            )
        if pairing not in PAIRINGS:
            raise ParameterError(f"pairing must be 'all' or 'nearest', got {pairing!r}")
        if weight_dependence not in WEIGHT_DEPENDENCES:
            raise ParameterError(
                f"weight_dependence must be 'additive' or 'multiplicative', got "
                f"{weight_dependence!r}"
            )
        self.proj = proj
        self.pairing = pairing
        self.weight_dependence = weight_dependence
        if w_min is None:
            w_min = u.with_unit(0.0, u.get_unit(proj.comm.weight.value))
        self.set(
            w_min=w_min, w_max=w_max, tau_plus=tau_plus, tau_minus=tau_minus,
            A_plus=A_plus, A_minus=A_minus,
        )  # fmt: skip
        if isinstance(proj.comm, FixedProb):
            self._build_rows(proj.comm)
        else:
            self.has_diagonal = proj.comm.include_self

    def _build_rows(self, comm: FixedProb) -> None:
        """The synapses of ``comm`` in rows by presynaptic neuron (depression) and by
        postsynaptic neuron (potentiation), and one weight per synapse."""
        indptr = np.asarray(comm.indptr.value)
        pre = np.repeat(np.arange(comm.n_pre, dtype=np.int32), np.diff(indptr))
        connections = Connections(pre, np.asarray(comm.indices.value), comm.n_pre, comm.n_post)
        self.pre_of_synapse = State(jnp.asarray(pre), name="pre_of_synapse")
        self.post_order = State(jnp.asarray(connections.post_order), name="post_order")
        self.post_indptr = State(jnp.asarray(connections.post_indptr), name="post_indptr")
        self.by_pre = SynapseRows(
            comm.indptr, None, self.pre_of_synapse, comm.indices, connections.out_degrees()
        )
        self.by_post = SynapseRows(
            self.post_indptr,
            self.post_order,
            comm.indices,
            self.pre_of_synapse,
            connections.in_degrees(),
        )
        weight = comm.weight.value
        if np.ndim(u.magnitude(weight)) == 0:
            comm.weight.value = u.math.broadcast_to(weight, (comm.n_synapses,))

    @property
    def weight(self) -> State:
        """The learned weights: the projection's ``comm.weight`` state."""
        return self.proj.comm.weight

    def check_parameters(self) -> None:
        owner = type(self).__name__
        weight = self.proj.comm.weight.value
        unit = u.get_unit(weight)
        bounds = [name for name in ("w_min", "w_max") if name in self.__dict__]
        for name in bounds:
            value = self.__dict__[name]
            if u.get_unit(value).dim != unit.dim:
                raise ParameterError(
                    f"{owner}.{name} must be in the unit of the weights it bounds ({unit}), "
                    f"got {u.describe(value)}"
                )
        super().check_parameters()  # w_min < w_max, once both are known to be comparable
        magnitude = u.magnitude(weight)
        if isinstance(magnitude, jax.core.Tracer) or np.size(magnitude) == 0:
            return
        magnitude = np.asarray(magnitude)

        def bound(name: str) -> Any:  # in the weights' precision: w_max = 0.15 holds 0.15
            return np.asarray(u.to_float(self.__dict__[name], unit), magnitude.dtype)

        low, high = magnitude.min(), magnitude.max()
        if "w_max" in bounds and bound("w_max") < high:
            raise ParameterError(
                f"{owner}.w_max must be >= every weight of the projection (the largest is "
                f"{high:g} {unit}), got {u.describe(self.w_max)}"
            )
        if "w_min" in bounds and bound("w_min") > low:
            raise ParameterError(
                f"{owner}.w_min must be <= every weight of the projection (the smallest is "
                f"{low:g} {unit}), got {u.describe(self.w_min)}"
            )
        conductance = isinstance(self.proj.out, (COBA, MgBlock))
        if "w_min" in bounds and conductance and bound("w_min") < 0:
            raise ParameterError(
                f"{owner}.w_min must be >= 0 {unit} with a conductance-based output "
                f"({type(self.proj.out).__name__}): a conductance cannot be negative, got "
                f"{u.describe(self.w_min)}"
            )

    def init_state(self, batch_size: int | None = None) -> None:
        if batch_size is not None:
            raise ParameterError(
                f"{self.name}: STDP learns one weight per synapse, shared by every batch "
                f"element, so its states cannot be batched; got batch_size={batch_size}"
            )
        dtype = environ.dftype()
        self.pre_trace = HiddenState(jnp.zeros(self.proj.comm.n_pre, dtype), name="pre_trace")
        self.post_trace = HiddenState(jnp.zeros(self.proj.post.num, dtype), name="post_trace")

    def update(self, pre_spikes: Any, post_spikes: Any) -> None:
        """One step of learning, from the spikes the projection was handed this step
        (``pre_spikes``) and those ``post`` emitted this step (``post_spikes``)."""
        comm = self.proj.comm
        dtype = self.pre_trace.value.dtype
        pre = _one_step("pre_spikes", comm._check_input(pre_spikes), comm.n_pre, self.name)
        post = _one_step("post_spikes", post_spikes, self.proj.post.num, self.name)
        pre, post = pre.astype(dtype), post.astype(dtype)
        dt = environ.get_dt()
        pre_trace = self._jump(self.pre_trace.value * _decay(dt, self.tau_plus), pre)
        post_trace = self.post_trace.value * _decay(dt, self.tau_minus)

        weight = comm.weight.value
        unit = u.get_unit(weight)
        w = jnp.asarray(u.magnitude(weight))
        low = jnp.asarray(u.to_float(self.w_min, unit), w.dtype)
        high = jnp.asarray(u.to_float(self.w_max, unit), w.dtype)

        def depressed(w: Any, drive: Any) -> Any:
            room = high - low if self.weight_dependence == "additive" else w - low
            return jnp.clip(w - self.A_minus * room * drive, low, high).astype(w.dtype)

        def potentiated(w: Any, drive: Any) -> Any:
            room = high - low if self.weight_dependence == "additive" else high - w
            return jnp.clip(w + self.A_plus * room * drive, low, high).astype(w.dtype)

        if isinstance(comm, FixedProb):
            w = self.by_pre.update(w, pre, post_trace, depressed)
            w = self.by_post.update(w, post, pre_trace, potentiated)
        else:
            w = _dense(w, pre[:, None], post_trace[None, :], depressed, self.has_diagonal)
            w = _dense(w, post[None, :], pre_trace[:, None], potentiated, self.has_diagonal)
        comm.weight.value = u.with_unit(w, unit)
        self.pre_trace.value = pre_trace
        self.post_trace.value = self._jump(post_trace, post)

    def _jump(self, trace: Any, spikes: Any) -> Any:
        """The trace after this step's spikes (counts): all-to-all adds, nearest resets."""
        if self.pairing == "all":
            return trace + spikes
        return jnp.where(spikes > 0, jnp.ones_like(trace), trace)


def _decay(dt: Any, tau: Any) -> Any:
    return u.magnitude(u.math.exp(-dt / tau))


def _one_step(name: str, spikes: Any, n: int, owner: str) -> Any:
    """The spikes of one step as a flat ``(n,)`` array."""
    spikes = jnp.asarray(u.magnitude(spikes))
    if spikes.size != n:
        raise ParameterError(
            f"{owner}: {name} must be the spikes of one step, {n} values (no batch axis), "
            f"got shape {spikes.shape}"
        )
    return spikes.reshape(n)


def _dense(w: Any, counts: Any, partner_trace: Any, new_weight: Any, has_diagonal: bool) -> Any:
    """Dense weights ``(n_pre, n_post)`` with the synapses of spiking neurons (``counts``
    broadcast along their rows or columns) set to ``new_weight(w, counts * trace)``;
    without ``has_diagonal`` the absent ``i -> i`` synapses stay 0."""

    def changed(w: Any) -> Any:
        active = jnp.broadcast_to(counts > 0, w.shape)
        if not has_diagonal:
            active = active & ~jnp.eye(*w.shape, dtype=bool)
        return jnp.where(active, new_weight(w, counts * partner_trace), w)

    return jax.lax.cond(jnp.any(counts > 0), changed, lambda w: w, w)
