r"""Precise spike timing (NEST's ``*_ps`` models): spikes off the time grid.

A spike carries, besides its step, an *offset*: with NEST's step ``T`` covering
:math:`(T h, (T+1) h]`, a spike in step ``T`` with offset :math:`\delta \in [0, h)`
happens at :math:`(T+1) h - \delta` (the offset counts back from the step's end).

**Precise input.** A ``*_ps`` neuron takes, besides plain delta inputs (on-grid spikes,
offset 0), delta inputs labelled ``'precise'`` whose value is a pair
``(offset, weight)`` of arrays of shape ``(*in_size, K)``: up to ``K`` spikes per
neuron in this step, in any order; a slot with a negative offset is empty. (A
:class:`~neurodyn.network.Network` fills such inputs from precise sources through
their delays; in a script, add one with ``neuron.add_delta_input(key, fn,
label='precise')``.)

**One step, as NEST's** ``update`` **does it** (Morrison et al. 2007): the step's events
are taken in time order (decreasing offset; the end of refractoriness, a pseudo-event
at the offset of the last spike, before spikes at the same offset), the linear
dynamics are propagated exactly from event to event, and after every piece the
threshold is checked; where it was crossed, the crossing time is found from the
state at the piece's start (by NEST's method: Regula Falsi, or the closed form for
``iaf_psc_delta_ps``) and the neuron fires there, resets and turns refractory.
Outputs: ``spike`` (1 in the step of a spike) and ``spike_offset`` (ms).
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import ShortTermState
from ..core._transforms import jit
from ..neurons._base import check_current, refractory_steps
from ..ops._precise_lif import precise_lif_step
from ._base import _traced
from ._iaf_psc import _LinearIAF

#: The label of precise delta inputs (pairs of offset and weight arrays).
PRECISE = "precise"
#: NEST's Regula Falsi: stop where ``|V - V_th|`` is below this (mV), or after MAX_ITER.
TERMINATION = {64: 1e-14, 32: 1e-5}
MAX_ITER = 500


def exp_propagator(h: Any, tau_syn: Any, tau_m: Any, C: Any) -> Any:
    """NEST's ``IAFPropagatorExp``: the voltage change over ``h`` per unit initial
    exponential current, with its fallback where ``tau_syn`` is close to ``tau_m``."""
    return _p32(h, tau_syn, tau_m, C)[0]


def alpha_propagator(h: Any, tau_syn: Any, tau_m: Any, C: Any) -> tuple[Any, Any]:
    """NEST's ``IAFPropagatorAlpha``: the voltage change over ``h`` per unit initial
    current slope (``P31``) and per unit initial current (``P32``)."""
    P32, exp_syn, expm1_tau, beta, gamma = _p32(h, tau_syn, tau_m, C)
    h_min_regular = 1e-7 * tau_m * tau_m / jnp.abs(tau_m - tau_syn)
    regular = gamma * exp_syn * (beta * expm1_tau - h)
    singular = 0.5 * h * h / C * jnp.exp(-h / tau_m)
    return jnp.where(h > h_min_regular, regular, singular), P32


def _p32(h: Any, tau_syn: Any, tau_m: Any, C: Any) -> tuple:
    beta = tau_syn * tau_m / (tau_m - tau_syn)
    gamma = beta / C
    exp_syn = jnp.exp(-h * (1.0 / tau_syn))
    expm1_tau = jnp.expm1(h * ((tau_m - tau_syn) / (tau_syn * tau_m)))
    P32 = gamma * exp_syn * expm1_tau
    normal = jnp.isfinite(P32) & (P32 >= np.finfo(np.float64).tiny)
    P32 = jnp.where(normal, P32, h * (1.0 / C) * jnp.exp(-h * (1.0 / tau_m)))
    return P32, exp_syn, expm1_tau, beta, gamma


def regula_falsi(distance: Any, dt: Any, active: Any) -> Any:
    """NEST's Regula Falsi (Illinois variant) for the root of ``distance(t)`` in
    ``[0, dt]``, in every element where ``active``; ``dt`` elsewhere."""
    # most steps have no crossing: skip the search (and its two evaluations) then
    return jax.lax.cond(jnp.any(active), lambda: _regula_falsi(distance, dt, active), lambda: dt)


def _regula_falsi(distance: Any, dt: Any, active: Any) -> Any:
    tol = TERMINATION[environ.get_precision()]
    a, b = jnp.zeros_like(dt), dt
    fa, fb = distance(a), distance(b)

    def cond(carry):
        *_, done, it = carry
        return jnp.any(~done) & (it < MAX_ITER)

    def body(carry):
        a, b, fa, fb, side, root, done, it = carry
        guess = (a * fb - b * fa) / (fb - fa)
        f = distance(guess)
        root = jnp.where(done, root, guess)
        go = ~done & ~(jnp.abs(f) < tol)
        left = go & (fa * f > 0.0)
        right = go & ~left & (fb * f > 0.0)
        a, fa = jnp.where(left, guess, a), jnp.where(left, f, fa)
        fb = jnp.where(left & (side == 1), fb / 2, fb)
        b, fb = jnp.where(right, guess, b), jnp.where(right, f, fb)
        fa = jnp.where(right & (side == -1), fa / 2, fa)
        side = jnp.where(left, 1, jnp.where(right, -1, side))
        return a, b, fa, fb, side, root, done | ~(left | right), it + 1

    side = jnp.zeros(dt.shape, jnp.int32)
    carry = (a, b, fa, fb, side, dt, ~active, 0)
    return jax.lax.while_loop(cond, body, carry)[5]


class PreciseIAF(_LinearIAF):
    """Base of the ``*_ps`` models: the states and the event loop of one step.

    A model sets ``SYNAPSE`` (its synaptic state names and units) and ``KERNEL`` (its
    compiled step in ``neurodyn.ops._precise_lif``) and defines
    :meth:`coefficients` (its propagators over ``dt``), :meth:`propagate` (the state
    after ``dt``, exactly), :meth:`add_spike` and :meth:`crossing` (where and when the
    threshold was crossed in a piece).
    """

    OFF_GRID = True
    #: the synaptic states (name: unit), besides ``V``
    SYNAPSE: dict[str, Any] = {}
    #: the model's kernel (a key of ``neurodyn.ops._precise_lif.PARAMETERS``)
    KERNEL: str
    WEIGHT_UNIT = u.pA
    t_ref = Param(u.ms, positive=True)
    V_min = Param(u.mV, allow_inf=True)

    def __init__(
        self,
        in_size: Any,
        E_L: Any,
        C_m: Any,
        tau_m: Any,
        t_ref: Any,
        V_th: Any,
        V_reset: Any,
        I_e: Any,
        V_min: Any,
        V_initializer: Any,
        name: str | None,
        **synapse: Any,
    ):
        super().__init__(
            in_size,
            E_L,
            C_m,
            tau_m,
            t_ref,
            V_th,
            V_reset,
            I_e,
            V_initializer,
            None,
            "hard",
            name,
        )
        self.V_min = V_min
        for key, value in synapse.items():
            setattr(self, key, value)

    def parameters(self) -> dict:
        """The parameters as plain numbers (ms, pF, pA, mV; voltages relative to ``E_L``
        but ``E_L``; ``steps`` the refractory period in steps)."""
        relative = lambda value: u.to_float(value - self.E_L, u.mV)  # noqa: E731
        out = {
            "E_L": u.to_float(self.E_L, u.mV),
            "theta": relative(self.V_th),
            "y_reset": relative(self.V_reset),
            "V_min": relative(self.V_min),
            "tau_m": u.to_float(self.tau_m, u.ms),
            "C": u.to_float(self.C_m, u.pF),
            "I_e": u.to_float(self.I_e, u.pA),
            "steps": refractory_steps(self.t_ref),
        }
        for name in ("tau_syn_ex", "tau_syn_in"):
            if hasattr(self, name):
                out[name] = u.to_float(getattr(self, name), u.ms)
        return out

    def coefficients(self, p: dict, dt: Any) -> dict:
        """The propagators over ``dt`` (ms) of the parameters ``p`` (:meth:`parameters`)."""
        return {"expm1_m": jnp.expm1(-dt / p["tau_m"])}

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        zeros = jnp.zeros_like(self.V.value.mantissa)
        for name, unit in self.SYNAPSE.items():
            setattr(self, name, ShortTermState(u.with_unit(zeros, unit), name=name))
        self.is_refractory = ShortTermState(jnp.zeros(zeros.shape, bool), name="is_refractory")
        self.last_spike_offset = ShortTermState(u.with_unit(zeros, u.ms), name="last_spike_offset")
        self.spike_offset = ShortTermState(u.with_unit(zeros, u.ms), name="spike_offset")

    def _recordable(self, name: str) -> Any:
        return getattr(self, name if name in self.SYNAPSE else "V").value

    # -- inputs ---------------------------------------------------------------------

    def precise_events(self) -> tuple[Any, Any]:
        """This step's input spikes as ``(offset, weight)`` arrays ``(*shape, K)`` (ms,
        ``WEIGHT_UNIT``); plain delta inputs count as spikes at offset 0."""
        unknown = self.delta_input_labels() - {None, PRECISE}
        if unknown:
            raise ParameterError(
                f"{self.name}: delta inputs labelled {sorted(unknown)}; "
                f"{type(self).__name__} takes unlabelled or {PRECISE!r} inputs"
            )
        shape = self.V.value.shape
        offsets, weights = [], []
        for value in self.delta_inputs(None):
            w = u.math.broadcast_to(u.to_float(value, self.WEIGHT_UNIT), shape)
            offsets.append(jnp.where(w != 0, 0.0, -1.0)[..., None])
            weights.append(w[..., None])
        for pair in self.delta_inputs(PRECISE):
            offset, weight = pair
            offset = u.to_float(offset, u.ms)
            weights.append(jnp.broadcast_to(u.to_float(weight, self.WEIGHT_UNIT), offset.shape))
            offsets.append(offset)
        dtype = environ.dftype()
        if not offsets:
            return jnp.zeros((*shape, 0), dtype), jnp.zeros((*shape, 0), dtype)

        def join(parts):
            return jnp.concatenate([jnp.broadcast_to(x, (*shape, x.shape[-1])) for x in parts], -1)

        return join(offsets), join(weights)

    def _sorted_events(self, offsets: Any, weights: Any, pseudo_offset: Any) -> tuple:
        """The step's events (:meth:`precise_events`) in time order (slot axis first):
        offsets (empty slots -1), weights and whether each is the end of refractoriness
        (at ``pseudo_offset``, -1 where none; it goes first among events at the same
        offset)."""
        offsets = jnp.where(offsets >= 0.0, offsets, -1.0)
        offsets = jnp.concatenate([pseudo_offset[..., None], offsets], -1)
        weights = jnp.concatenate([jnp.zeros_like(pseudo_offset)[..., None], weights], -1)
        pseudo = jnp.zeros(offsets.shape, bool).at[..., 0].set(True)
        order = jnp.argsort(-offsets, axis=-1, stable=True)
        take = lambda x: jnp.moveaxis(jnp.take_along_axis(x, order, -1), -1, 0)  # noqa: E731
        return take(offsets), take(weights), take(pseudo)

    # -- one step -------------------------------------------------------------------

    def update(self, x: Any = 0.0 * u.pA) -> Any:
        events = self.precise_events()
        if _traced(self.V.value, x, events, environ.get("t")) or self._current_inputs:
            return self.advance(events, x)
        # a script stepping the model from Python: one compiled step per dt, reused
        # (traced afresh, the event loop and Regula Falsi would compile at every step)
        dt = float(u.to_float(environ.get_dt(), u.ms))
        cache = self.__dict__.setdefault("_step_cache", {})
        if dt not in cache:
            cache.clear()

            def step(events: tuple, x: Any, t: Any) -> Any:
                with environ.context(t=t):
                    return self.advance(events, x)

            cache[dt] = jit(step)
        return cache[dt](events, x, environ.get("t"))

    def advance(self, events: tuple, x: Any) -> Any:
        """One step with the input spikes ``events`` (:meth:`precise_events`) and the
        stimulation current ``x``; returns the spikes. On CPU in float64 a compiled
        kernel (``neurodyn.ops._precise_lif.precise_lif_step``) computes :meth:`step`."""
        h = u.to_float(environ.get_dt(), u.ms)
        p = self.parameters()
        operands = (
            p,
            h,
            u.to_float(environ.get("t") + environ.get_dt(), u.ms),
            u.to_float(self.V.value, u.mV),
            tuple(getattr(self, name).value.mantissa for name in self.SYNAPSE),
            self.is_refractory.value,
            self.refractory_step_count.value,
            u.to_float(self.last_spike_offset.value, u.ms),
            u.to_float(self.last_spike_time.value, u.ms),
            u.to_float(self.I_stim.value, u.pA),
            *events,
        )
        kernel_parameters = {**p, **self.coefficients(p, h)}
        check_current(self.name, x)
        V, synapse, refractory, count, offset, last_offset, last_time, spike, stim = (
            precise_lif_step(
                self.KERNEL, self.step, kernel_parameters, *operands, current=u.to_float(x, u.pA)
            )
        )
        self.V.value = u.with_unit(V, u.mV)
        for (name, unit), value in zip(self.SYNAPSE.items(), synapse, strict=True):
            getattr(self, name).value = u.with_unit(value, unit)
        self.is_refractory.value = refractory
        self.refractory_step_count.value = count
        self.spike_offset.value = u.with_unit(offset, u.ms)
        self.last_spike_offset.value = u.with_unit(last_offset, u.ms)
        self.last_spike_time.value = u.with_unit(last_time, u.ms)
        self.spike.value = spike
        self.I_stim.value = u.with_unit(stim, u.pA)
        if self._current_inputs:  # they add to x, depending on the new V
            self.buffer_current(x)
        return spike

    def step(
        self, p, h, t_end, V, synapse, refractory, count, last_offset, last_time, y0, offsets,
        weights,
    ) -> tuple:  # fmt: skip
        """One step in plain JAX (the reference of the compiled kernel), every value a
        plain number (mV, pA, ms; ``p`` from :meth:`parameters`): the states at the end
        of the step ``(t_end - h, t_end]`` (``V``, the synaptic states in ``SYNAPSE``
        order, ``is_refractory``, ``refractory_step_count``) and its spikes
        (``spike_offset``, ``last_spike_offset``, ``last_spike_time``, ``spike``) from
        the states at its start, the stimulation current ``y0`` and the input spikes
        ``(offsets, weights)`` (:meth:`precise_events`)."""
        state = {"V": V - p["E_L"], **dict(zip(self.SYNAPSE, synapse, strict=True))}
        count = jnp.maximum(count - 1, 0)
        # a neuron above threshold at the start of the step fires at once
        instant = state["V"] >= p["theta"]
        fired = Firing(instant, jnp.where(instant, h * (1.0 - jnp.finfo(y0.dtype).eps), 0.0))
        state["V"] = jnp.where(instant, p["y_reset"], state["V"])
        refractory = refractory | instant
        count = jnp.where(instant, p["steps"], count)
        refractory_end = refractory & (count == 0) & ~instant
        events = self._sorted_events(offsets, weights, jnp.where(refractory_end, last_offset, -1.0))
        state, refractory, fired = self.run_events(p, state, refractory, fired, events, y0, h)
        count = jnp.where(fired.now & ~instant, p["steps"], count)
        return (
            state["V"] + p["E_L"],
            tuple(state[name] for name in self.SYNAPSE),
            refractory,
            count,
            fired.offset,
            jnp.where(fired.now, fired.offset, last_offset),
            jnp.where(fired.now, t_end - fired.offset, last_time),
            fired.now.astype(V.dtype),
        )

    def run_events(self, p, state, refractory, fired, events, y0, h):
        """Integrate the step through its sorted ``events`` (the models with synaptic
        currents; ``iaf_psc_delta_ps`` has its own). Returns the state at the end of
        the step, the refractory flags and the spikes."""
        offsets, weights, pseudo = events
        plain = ~jnp.any(offsets >= 0.0, axis=0)  # no event: NEST's whole-step update

        def piece(state, before, refractory, fired, last, dt, move, whole):
            new = self.propagate(p, state, dt, refractory, y0, whole)
            state = {k: jnp.where(move, new[k], v) for k, v in state.items()}
            crossed, time = self.crossing(p, state, before, y0, dt, move & ~fired.now)
            fired = fired.join(crossed, last - time)
            state["V"] = jnp.where(crossed, p["y_reset"], state["V"])
            return state, refractory | crossed, fired

        def body(carry, event):
            state, before, refractory, fired, last = carry
            offset, weight, is_end = event
            valid = offset >= 0.0
            dt = last - offset
            state, refractory, fired = piece(
                state, before, refractory, fired, last, dt, valid & (dt > 0), False
            )
            refractory = refractory & ~(valid & is_end)
            state = self.add_spike(p, state, jnp.where(valid & ~is_end, weight, 0.0))
            before = {k: jnp.where(valid, state[k], before[k]) for k in state}
            return (state, before, refractory, fired, jnp.where(valid, offset, last)), None

        last = jnp.full(y0.shape, h, y0.dtype)
        carry = (state, dict(state), refractory, fired, last)
        state, before, refractory, fired, last = jax.lax.scan(body, carry, events)[0]
        return piece(state, before, refractory, fired, last, last, last > 0, plain)

    def propagate(self, p: dict, state: dict, dt: Any, refractory: Any, y0: Any, whole: Any):
        raise NotImplementedError

    def add_spike(self, p: dict, state: dict, weight: Any) -> dict:
        raise NotImplementedError

    def crossing(self, p: dict, state: dict, before: dict, y0: Any, dt: Any, move: Any) -> tuple:
        """Where the threshold was crossed in a piece of length ``dt`` that ended in
        ``state`` (neurons in ``move``), and when, counted from the piece's start."""
        theta = p["theta"]
        crossed = move & (state["V"] >= theta)

        def distance(t):
            return self.propagate(p, before, t, jnp.zeros_like(crossed), y0, False)["V"] - theta

        return crossed, regula_falsi(distance, jnp.where(crossed, dt, 1.0), crossed)


class Firing:
    """The spikes of a step so far: ``now`` (fired) and ``offset`` (ms, 0 elsewhere)."""

    def __init__(self, now: Any, offset: Any):
        self.now, self.offset = now, offset

    def join(self, crossed: Any, offset: Any) -> Firing:
        return Firing(self.now | crossed, jnp.where(crossed, offset, self.offset))


jax.tree_util.register_pytree_node(
    Firing, lambda f: ((f.now, f.offset), None), lambda _, c: Firing(*c)
)
