r"""Gap junctions between NEST ``hh_psc_alpha_gap`` or ``hh_cond_beta_gap_traub`` neurons,
coupled as NEST couples them.

A gap junction of conductance :math:`g_{ij}` carries :math:`g_{ij}(V_j - V_i)` into
neuron ``i``. NEST does not integrate the coupled system as one: each neuron
integrates its own step with the partners' voltages replaced by a waveform it was
sent, :math:`I_{gap,i}(t) = -G_i V_i(t) + \sum_j g_{ij} \tilde V_j(t)` with
:math:`G_i = \sum_j g_{ij}` (its own ``V_i`` stays live inside the integrator).

**Without waveform relaxation** (``use_wfr=False``) :math:`\tilde V_j` is the
partner's voltage at the start of the step, held constant; in the very first step
there is no coupling at all (nothing has been exchanged yet).

**With waveform relaxation** (NEST's default) time is cut into communication
intervals of ``wfr_comm_interval`` (NEST's ``min_delay``). At the start of each,
every neuron integrates the whole interval tentatively from its current state,
given the partners' waveforms, and sends back its own as one polynomial per step:

- order 3 (cubic Hermite): :math:`\tilde V(s) = y_0 + h f_0 s
  + (-3 y_0 + 3 y_1 - 2 h f_0 - h f_1) s^2 + (2 y_0 - 2 y_1 + h f_0 + h f_1) s^3`
  from ``V`` and ``h dV/dt`` at the step's start (``y_0``, ``h f_0``) and end
  (``y_1``, ``h f_1``), :math:`s = t/h`;
- order 1: :math:`y_0 + (y_1 - y_0) s`; order 0: :math:`y_0`.

This repeats until no neuron's end-of-step voltage moved by more than ``wfr_tol``
since the previous iteration (the first never converges: it is compared with 0), or
for ``wfr_max_iterations``; the neurons then take the interval for real with the
last waveforms received. The first iteration of an interval uses each partner's
voltage at the interval's start as a constant (and no coupling in the very first
interval). As in NEST, the tentative passes move each neuron's adaptive step size
(it is not restored), they use the stimulation current buffered at the interval's
start, and they neither detect spikes nor change refractoriness.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import Param, parameter
from ..core._state import ShortTermState
from ._gap_neuron import GAP_COEFFICIENTS, GapJunctionNeuron


class GapJunction(Module):
    r"""Gap junctions within a population of NEST gap-junction neurons.

    .. math::

       I_{gap,i}(t) = \sum_j g_{ij}\,\big(\tilde V_j(t) - V_i(t)\big)

    with :math:`\tilde V_j` the partner's voltage as NEST communicates it (see the
    module docstring): held from the step's start (``use_wfr=False``) or an
    interpolated waveform iterated to convergence (waveform relaxation, NEST's
    default).

    **Arguments:**

    - ``neurons``: the ``hh_psc_alpha_gap`` or ``hh_cond_beta_gap_traub`` population
      (a :class:`GapJunctionNeuron`; all coupled neurons in one population; one
      :class:`GapJunction` per population).
    - ``pairs``: connections as an ``(k, 2)`` integer array of ``(source, target)``
      flat neuron indices, as NEST's ``Connect(source, target)``: the target receives
      ``g (V_source - V_target)``.
    - ``weight``: the conductance ``g`` (nS), a scalar or one per pair.
    - ``make_symmetric``: also connect each pair the other way with the same weight
      (NEST's ``make_symmetric=True``, which NEST requires for gap junctions).
    - ``use_wfr``, ``wfr_comm_interval``, ``wfr_tol`` (mV), ``wfr_max_iterations``,
      ``wfr_interpolation_order`` (0, 1 or 3): NEST's kernel settings, with NEST's
      defaults ``True``, 1 ms, 1e-4, 15, 3. ``wfr_comm_interval`` is the interval NEST
      iterates over, its ``min_delay``: where a spike connection in NEST has a
      shorter delay, NEST's ``min_delay`` is that delay; give it here.

    **Update order.** Call ``gap()`` in each step *before* the neurons' update: it
    hands the neurons this step's ``G`` and waveform coefficients
    (:meth:`GapJunctionNeuron.receive_gap`), and at the start of a communication
    interval first runs the waveform relaxation. With a batch axis, every batch
    element relaxes as a network of its own, with its own iteration count.

    **Not reproduced.** NEST's tentative passes include spike input arriving within
    the interval; here they do not (the neurons' delta inputs of later steps are not
    known yet). The final, recorded pass does, so the difference is confined to the
    waveform the partners see during an interval that receives spikes.

    States: ``lag`` (step within the communication interval), ``exchanged`` (whether
    any waveform has been sent), ``waveform`` (each neuron's summed partner
    coefficients ``sum_j g_ij a_jk`` for every step of the interval, pA) and
    ``conductance`` (``G``, nS, 0 before the first exchange).

    Reference: J. Hahne, M. Helias, S. Kunkel, J. Igarashi, M. Bolten, A. Frommer &
    M. Diesmann (2015), *A unified framework for spiking and gap-junction interactions
    in distributed neuronal network simulations*, Front. Neuroinform. 9:22; NEST
    ``gap_junction``.

    A simulation calls the junctions, then the neurons, in every step::

        def step(i):
            with nd.environ.context(t=i * dt):
                gap()
                return cells()

        spikes = nd.for_loop(step, np.arange(200))  # the follower fires once

    >>> import numpy as np, neurodyn as nd
    >>> from neurodyn import units as u
    >>> cells = nd.nest.hh_psc_alpha_gap(2, I_e=np.array([300., 50.]) * u.pA)
    >>> gap = nd.nest.GapJunction(cells, [(0, 1)], 5. * u.nS)  # symmetric, NEST's WFR
    >>> _ = nd.init_all_states(gap)
    >>> gap.interval_steps()  # wfr_comm_interval / dt
    10
    >>> gap.waveform.value.shape  # (neurons, steps of an interval, coefficients)
    (2, 10, 4)
    """

    wfr_comm_interval = Param(u.ms, positive=True, per_neuron=False)

    def __init__(
        self,
        neurons: GapJunctionNeuron,
        pairs: Any,
        weight: Any,
        make_symmetric: bool = True,
        use_wfr: bool = True,
        wfr_comm_interval: Any = 1.0 * u.ms,
        wfr_tol: float = 1e-4,
        wfr_max_iterations: int = 15,
        wfr_interpolation_order: int = 3,
        name: str | None = None,
    ):
        super().__init__(name)
        if not isinstance(neurons, GapJunctionNeuron):
            raise ParameterError(
                "neurons must be a population of a gap-junction model (hh_psc_alpha_gap, "
                f"hh_cond_beta_gap_traub), got {type(neurons).__name__}"
            )
        if getattr(neurons, "_has_gap_junction", False):
            raise ParameterError(
                f"{neurons.name} has a GapJunction already; put all of a population's gap "
                "junctions in one GapJunction (waveform relaxation iterates them together)"
            )
        pairs = np.asarray(pairs)
        if pairs.ndim != 2 or pairs.shape[1] != 2 or not np.issubdtype(pairs.dtype, np.integer):
            raise ParameterError(f"pairs must be a (k, 2) integer array, got {pairs!r}")
        if pairs.size and (pairs.min() < 0 or pairs.max() >= neurons.num):
            raise ParameterError(
                f"pairs must index neurons 0..{neurons.num - 1}, got indices "
                f"{pairs.min()}..{pairs.max()}"
            )
        weight = parameter("weight", weight, u.nS, shape=(len(pairs),))
        g = np.broadcast_to(np.asarray(u.to_float(weight, u.nS), np.float64), (len(pairs),))
        pre, post = pairs[:, 0], pairs[:, 1]
        if make_symmetric:
            post, pre, g = np.concatenate([post, pre]), np.concatenate([pre, post]), np.tile(g, 2)
        self.post, self.pre, self.g = post, pre, g
        if wfr_interpolation_order not in (0, 1, 3):
            raise ParameterError(
                f"wfr_interpolation_order must be 0, 1 or 3, got {wfr_interpolation_order!r}"
            )
        if int(wfr_max_iterations) < 1 or int(wfr_max_iterations) != wfr_max_iterations:
            raise ParameterError(
                f"wfr_max_iterations must be a positive integer, got {wfr_max_iterations!r}"
            )
        self.wfr_tol = float(parameter("wfr_tol", wfr_tol, positive=True))
        self.wfr_comm_interval = wfr_comm_interval
        self.use_wfr = bool(use_wfr)
        self.wfr_max_iterations = int(wfr_max_iterations)
        self.wfr_interpolation_order = int(wfr_interpolation_order)
        self.neurons = neurons
        neurons._has_gap_junction = True

    def interval_steps(self) -> int:
        """Steps per communication interval (1 without waveform relaxation)."""
        if not self.use_wfr:
            return 1
        dt = u.to_float(environ.get_dt(), u.ms)
        steps = int(round(float(u.to_float(self.wfr_comm_interval, u.ms)) / dt))
        if steps < 1:
            raise ParameterError(
                f"wfr_comm_interval must be >= dt = {dt} ms, "
                f"got {u.describe(self.wfr_comm_interval)}"
            )
        return steps

    def init_state(self, batch_size: int | None = None) -> None:
        dtype = environ.dftype()
        batch = () if batch_size is None else (batch_size,)
        shape = (*batch, self.neurons.num, self.interval_steps(), GAP_COEFFICIENTS)
        self.lag = ShortTermState(jnp.zeros((), jnp.int32), name="lag")
        self.exchanged = ShortTermState(jnp.zeros((), bool), name="exchanged")
        self.waveform = ShortTermState(u.with_unit(jnp.zeros(shape, dtype), u.pA), name="waveform")
        self.conductance = ShortTermState(
            u.with_unit(jnp.zeros(shape[:-2], dtype), u.nS), name="conductance"
        )

    # -- exchange between neurons: arrays (*batch, neuron, ...), neurons flattened ------

    def _sum_over_partners(self, values: Any, batch_ndim: int) -> Any:
        """``sum_j g_ij values_j`` for every neuron ``i``; ``values``: (*batch, num, ...)."""
        trailing = (1,) * (values.ndim - batch_ndim - 1)
        g = jnp.asarray(self.g, values.dtype).reshape((-1, *trailing))
        sent = g * jnp.take(values, self.pre, axis=batch_ndim)
        index = (slice(None),) * batch_ndim + (self.post,)
        return jnp.zeros_like(values).at[index].add(sent)

    def _total_conductance(self, like: Any) -> Any:
        G = np.zeros(self.neurons.num)
        np.add.at(G, self.post, self.g)
        return jnp.broadcast_to(jnp.asarray(G, like.dtype), like.shape)

    # -- the step ----------------------------------------------------------------------

    def update(self) -> None:
        neurons = self.neurons
        steps = self.interval_steps()
        batch = self.waveform.value.shape[:-3]
        V = u.to_float(neurons.V.value, u.mV).reshape((*batch, neurons.num))
        exchanged = self.exchanged.value
        G = jnp.where(exchanged, self._total_conductance(V), 0.0)
        held = self._sum_over_partners(V, len(batch)) * exchanged  # partners' V held (pA)
        lag = self.lag.value
        if not self.use_wfr:
            waveform = jnp.zeros(self.waveform.value.shape, V.dtype).at[..., 0, 0].set(held)
        else:
            start = jnp.zeros(self.waveform.value.shape, V.dtype).at[..., 0].set(held[..., None])
            operands = (
                neurons.ode_state(),
                neurons.integration_step.value,
                neurons.integration_status.value,
                neurons.I_stim.value,
                start,
                G,
            )
            keep = (
                u.to_float(self.waveform.value, u.pA),
                u.to_float(self.conductance.value, u.nS),
                neurons.integration_step.value,
                neurons.integration_status.value,
            )
            waveform, G, h, status = jax.lax.cond(lag == 0, self._relax, lambda *_: keep, *operands)
            neurons.integration_step.value = h
            neurons.integration_status.value = status
        self.waveform.value = u.with_unit(waveform, u.pA)
        self.conductance.value = u.with_unit(G, u.nS)
        coefficients = waveform[..., lag, :].reshape((*batch, *neurons.varshape, GAP_COEFFICIENTS))
        neurons.receive_gap(
            u.with_unit(G.reshape((*batch, *neurons.varshape)), u.nS),
            u.with_unit(coefficients, u.pA),
        )
        self.lag.value = (lag + 1) % steps
        self.exchanged.value = jnp.ones((), bool)

    # -- waveform relaxation -----------------------------------------------------------

    def _relax(
        self, y0: dict, h0: Any, status0: Any, I_stim: Any, received: Any, G: Any
    ) -> tuple[Any, Any, Any, Any]:
        """Iterate the tentative passes over one interval; returns the waveform
        received last, ``G``, and the neurons' step sizes and status afterwards."""
        batch = received.shape[:-3]
        per_neuron = (1,) * (h0.ndim - len(batch))  # broadcast a batch mask over neurons
        G_full = self._total_conductance(G)
        last_V = jnp.zeros(received.shape[:-1], received.dtype)

        def cond(carry: tuple) -> Any:
            *_, active, iteration = carry
            return jnp.any(active) & (iteration < self.wfr_max_iterations)

        def body(carry: tuple) -> tuple:
            received, G, h, status, last_V, active, iteration = carry
            sent, V_end, h_new, status_new = self._tentative_pass(
                y0, h, status, I_stim, received, G
            )
            moved = jnp.abs(V_end - last_V) > self.wfr_tol
            exceeded = jnp.any(moved.reshape((*batch, -1)), axis=-1)
            a3 = active.reshape((*batch, 1, 1, 1))
            received = jnp.where(a3, self._sum_over_partners(sent, len(batch)), received)
            G = jnp.where(active[..., None], G_full, G)
            last_V = jnp.where(a3[..., 0], V_end, last_V)
            a_neuron = active.reshape(batch + per_neuron)
            h = u.math.where(a_neuron, h_new, h)
            status = jnp.where(a_neuron, status_new, status)
            return received, G, h, status, last_V, active & exceeded, iteration + 1

        init = (received, G, h0, status0, last_V, jnp.ones(batch, bool), jnp.asarray(0))
        received, G, h, status, *_ = jax.lax.while_loop(cond, body, init)
        return received, G, h, status

    def _tentative_pass(
        self, y0: dict, h0: Any, status0: Any, I_stim: Any, received: Any, G: Any
    ) -> tuple[Any, Any, Any, Any]:
        """Integrate every step of the interval from ``y0`` with the partners' waveforms
        ``received``; returns each neuron's own coefficients ``(*batch, num, lag, 4)``
        (mV), its end-of-step voltages ``(*batch, num, lag)``, step sizes and status."""
        neurons = self.neurons
        batch = received.shape[:-3]
        shape = (*batch, *neurons.varshape)
        dt = u.to_float(environ.get_dt(), u.ms)
        conductance = u.with_unit(G.reshape(shape), u.nS)

        def slope(y: dict, t: float, coefficients: Any) -> Any:  # h dV/dt, mV
            dV = neurons.derivatives(y, t * u.ms, I_stim, conductance, coefficients)["V"]
            return dt * u.to_float(dV, u.mV / u.ms)

        def step(carry: tuple, lag: Any) -> tuple:
            y, h, status = carry
            coefficients = u.with_unit(
                received[..., lag, :].reshape((*shape, GAP_COEFFICIENTS)), u.pA
            )
            y_i = u.to_float(y["V"], u.mV)
            hf_i = slope(y, 0.0, coefficients)
            result = neurons.advance(y, h, I_stim, conductance, coefficients)
            y_ip1 = u.to_float(result.y["V"], u.mV)
            hf_ip1 = slope(result.y, dt, coefficients)
            status = jnp.where(status != 0, status, result.status)
            own = self._interpolation(y_i, y_ip1, hf_i, hf_ip1)
            return (result.y, result.h, status), (own, y_ip1)

        (_, h, status), (own, V_end) = jax.lax.scan(
            step, (y0, h0, status0), jnp.arange(received.shape[-2])
        )
        # (lag, *batch, *varshape, ...) -> (*batch, num, lag, ...)
        own = jnp.moveaxis(own.reshape((own.shape[0], *batch, -1, GAP_COEFFICIENTS)), 0, -2)
        V_end = jnp.moveaxis(V_end.reshape((V_end.shape[0], *batch, -1)), 0, -1)
        return own, V_end, h, status

    def _interpolation(self, y_i: Any, y_ip1: Any, hf_i: Any, hf_ip1: Any) -> Any:
        """The polynomial coefficients of one step's voltage (NEST's forms), last axis 4."""
        zero = jnp.zeros_like(y_i)
        if self.wfr_interpolation_order == 0:
            terms = (y_i, zero, zero, zero)
        elif self.wfr_interpolation_order == 1:
            terms = (y_i, y_ip1 - y_i, zero, zero)
        else:
            terms = (
                y_i,
                hf_i,
                -3 * y_i + 3 * y_ip1 - 2 * hf_i - hf_ip1,
                2 * y_i - 2 * y_ip1 + hf_i + hf_ip1,
            )
        return jnp.stack(terms, axis=-1)
