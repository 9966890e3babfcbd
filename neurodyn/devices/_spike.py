"""NEST's ``spike_generator``: spikes at given times."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import ShortTermState
from . import _nest_time as nt
from ._generator import Generator, _or_empty


class spike_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""Spikes at given times, the same for every target (NEST ``spike_generator``).

    **Which step.** A spike time ``t`` (relative to ``origin``) becomes a stamp ``S`` in
    steps: ``t / h`` when ``t`` is on the grid (within half a tic, 0.5 µs), else, with
    ``allow_offgrid_times``, the end of the step ``t`` falls in (NEST's ``ms_stamp``:
    4.04 ms becomes 4.1 ms); without it an off-grid time is an error. The absolute stamp
    ``S_abs = origin / h + S`` is emitted **in step** ``S_abs - 1`` (the step ending at
    the stamp), if ``t_min < S_abs <= t_max`` (NEST checks the stamp itself: spikes at
    exactly ``origin + start`` are not emitted, spikes at ``origin + stop`` are) and
    ``S_abs >= 1`` (``models/spike_generator.cpp``, ``update``). A spike sent in step
    ``i`` with a delay of ``d`` steps arrives in step ``i + d`` (NEST).

    Several spikes in one step add: :meth:`update` returns the sum of their
    ``spike_multiplicities`` (1 each by default). ``spike_times`` must be sorted
    (non-descending; equal times are two spikes), and ``0`` is refused unless
    ``shift_now_spikes``, which moves a spike whose absolute stamp is "now" (``t = 0``,
    when the parameters are set before the simulation) one step later.

    **Precise times.** With ``precise_times=True`` every time keeps its exact value: its
    stamp is the end of the step it falls in (NEST's ``ms_stamp``) and it carries the
    offset ``stamp - t`` (ms, NEST's rule: 0 within rounding). Each step's spikes are
    then also kept in the states ``precise_offsets`` and ``precise_multiplicities``
    (``K`` slots, the most spikes of any step; offset -1 in empty slots), which a
    :class:`~neurodyn.network.Network` delivers with their offsets to precise-timing
    neurons (``*_ps``); other targets see the counts, as in NEST.

    **Spike weights.** NEST multiplies each spike's connection weight by its entry of
    ``spike_weights``. Since spikes of both signs can share a step and NEST sends each to
    the receptor of its own sign, :meth:`update` also sets the state
    ``spike_weight_sums`` to ``[sum of m_k w_k over w_k > 0, sum over w_k < 0]`` for the
    spikes ``k`` of this step (``m_k`` multiplicity, ``w_k`` spike weight): the synaptic
    input through a connection of weight ``W`` is ``W * spike_weight_sums`` (its two
    parts go to the receptors of their signs; they swap when ``W < 0``), in place of
    ``W * counts``. The counts stay the multiplicities (what a ``parrot_neuron``
    repeats). :attr:`has_spike_weights` says whether weights are given.

    ===========================  =======  ===============================================
    parameter                    default  meaning
    ===========================  =======  ===============================================
    ``spike_times``              []       spike times (ms), sorted
    ``spike_weights``            None     per-spike factor of the connection weight
    ``spike_multiplicities``     None     per-spike multiplicity (whole numbers ``>= 0``)
    ``precise_times``            False    keep off-grid times as offsets (see above)
    ``allow_offgrid_times``      False    accept off-grid times (moved to the step's end)
    ``shift_now_spikes``         False    move spikes at "now" (``t = 0``) one step later
    ``start``                    0 ms     activation time, relative to ``origin``
    ``stop``                     inf ms   deactivation time, relative to ``origin``
    ``origin``                   0 ms     offset of the spike times, ``start``, ``stop``
    ===========================  =======  ===============================================

    **Returns** of :meth:`update`: the spike count emitted in this step (scalar float).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> sg = devices.spike_generator([0.1, 0.3, 0.3] * u.ms, spike_multiplicities=[1, 2, 1])
    >>> _ = nd.init_all_states(sg)
    >>> counts = nd.for_loop(sg.update, length=4, clock=sg)
    >>> [float(c) for c in counts]  # the spike at 0.1 ms leaves in step 0
    [1.0, 0.0, 3.0, 0.0]
    """

    kind = "spike"
    ACTIVITY_SHIFT = 1

    spike_times = Param(u.ms)
    spike_weights = Param(u.UNITLESS, optional=True)
    spike_multiplicities = Param(u.UNITLESS, nonnegative=True, optional=True)
    precise_times = Param(u.UNITLESS, per_neuron=False)
    allow_offgrid_times = Param(u.UNITLESS, per_neuron=False)
    shift_now_spikes = Param(u.UNITLESS, per_neuron=False)

    def __init__(
        self,
        spike_times: Any = None,
        spike_weights: Any = None,
        spike_multiplicities: Any = None,
        precise_times: bool = False,
        allow_offgrid_times: bool = False,
        shift_now_spikes: bool = False,
        *,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name,
            spike_times=_or_empty(spike_times, u.ms),
            spike_weights=spike_weights, spike_multiplicities=spike_multiplicities,
            precise_times=precise_times, allow_offgrid_times=allow_offgrid_times,
            shift_now_spikes=shift_now_spikes,
        )  # fmt: skip

    @property
    def has_spike_weights(self) -> bool:  # type: ignore[override]
        weights = self.__dict__.get("spike_weights")
        return weights is not None and np.size(weights) > 0

    def check_parameters(self) -> None:
        super().check_parameters()
        names = (
            "spike_times", "spike_weights", "spike_multiplicities", "precise_times",
            "allow_offgrid_times", "shift_now_spikes",
        )  # fmt: skip
        if all(name in self.__dict__ for name in names):
            self.emission_table()

    def stamps(self) -> np.ndarray:
        """The stamps of ``spike_times`` in steps (relative to ``origin``), checked."""
        owner = type(self).__name__
        if bool(self.precise_times) and (
            bool(self.allow_offgrid_times) or bool(self.shift_now_spikes)
        ):
            raise ParameterError(
                f"{owner}.precise_times cannot be True together with allow_offgrid_times or "
                "shift_now_spikes (NEST)"
            )
        times = nt.ms_of(self.spike_times)
        if times.ndim != 1:
            raise ParameterError(f"{owner}.spike_times must be a 1-d list, got {times.shape}")
        if (np.diff(times) < 0).any():
            k = int(np.nonzero(np.diff(times) < 0)[0][0])
            raise ParameterError(
                f"{owner}.spike_times must be sorted in non-descending order, got "
                f"{times[k]:g} ms before {times[k + 1]:g} ms"
            )
        shift = bool(self.shift_now_spikes)
        if (times == 0.0).any() and not shift:
            raise ParameterError(
                f"{owner}.spike_times must not contain 0 ms (NEST: spike time cannot be set "
                "to 0) unless shift_now_spikes=True"
            )
        tps = nt.tics_per_step()
        if bool(self.precise_times):
            stamps = np.array([nt.stamp_steps(t, tps) for t in times.tolist()], np.int64)
        else:
            stamps = nt.time_steps(
                owner, "spike_times", times, tps, bool(self.allow_offgrid_times),
                "spike_generator",
            )  # fmt: skip
        if shift:
            origin = nt.tics(float(nt.ms_of(self.origin)))
            now = origin + stamps * tps == 0  # "now" is t = 0: parameters precede the run
            stamps = stamps + now
        for name in ("spike_weights", "spike_multiplicities"):
            values = self.__dict__[name]
            if values is None or np.size(values) == 0:
                continue
            if np.shape(values) != times.shape:
                raise ParameterError(
                    f"{owner}.{name} must have as many elements as spike_times ({len(times)}) "
                    f"or none, got shape {np.shape(values)}"
                )
        multiplicities = self.__dict__["spike_multiplicities"]
        if multiplicities is not None and np.size(multiplicities) > 0:
            m = np.asarray(multiplicities, dtype=np.float64)
            if (m != np.round(m)).any():
                raise ParameterError(
                    f"{owner}.spike_multiplicities must be whole numbers, got {m.tolist()}"
                )
        return stamps

    def emission_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(steps, counts, weight_sums)``: the steps in which spikes leave (sorted,
        unique), the summed multiplicities there, and the ``[positive, negative]`` sums of
        multiplicity times spike weight (ones without ``spike_weights``)."""
        steps, where, keep = self._emitted()
        m = _values_or(self.spike_multiplicities, len(keep), 1.0)
        w = _values_or(self.spike_weights, len(keep), 1.0)
        counts = np.zeros(len(steps))
        sums = np.zeros((len(steps), 2))
        np.add.at(counts, where, m[keep])
        np.add.at(sums[:, 0], where, np.where(w[keep] > 0, m[keep] * w[keep], 0.0))
        np.add.at(sums[:, 1], where, np.where(w[keep] < 0, m[keep] * w[keep], 0.0))
        return np.clip(steps, nt.STEP_MIN, nt.STEP_MAX), counts, sums

    def _emitted(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The steps in which spikes leave (sorted, unique), the row of each kept spike
        among them, and which spikes are kept (inside the window, stamp at least 1)."""
        origin_steps = nt.grid_steps(float(nt.ms_of(self.origin)), nt.tics_per_step())
        absolute = self.stamps() + origin_steps
        t_min, t_max = self.window_steps()
        keep = (absolute > t_min) & (absolute <= t_max) & (absolute >= 1)
        steps, where = np.unique(absolute[keep] - 1, return_inverse=True)
        return steps, where, keep

    def precise_table(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(steps, offsets, multiplicities)``: the steps in which spikes leave (as in
        :meth:`emission_table`) and, per step, the offsets (ms) and multiplicities of its
        spikes in ``K`` slots (offset -1 in empty slots)."""
        stamps = self.stamps()
        times = nt.ms_of(self.spike_times)
        stamp_ms = stamps * nt.tics_per_step() * (1.0 / nt.TICS_PER_MS)
        offsets = stamp_ms - times
        tiny = (np.abs(offsets) < np.finfo(float).eps * np.abs(stamp_ms + times) * 2.0) | (
            np.abs(offsets) < np.finfo(float).tiny
        )
        offsets = np.where(tiny, 0.0, offsets)
        steps, where, keep = self._emitted()
        m = _values_or(self.spike_multiplicities, len(stamps), 1.0)
        K = max(int(np.bincount(where).max()) if len(steps) else 1, 1)
        table_offsets, table_m = -np.ones((len(steps), K)), np.zeros((len(steps), K))
        fill = np.zeros(len(steps), np.int64)
        for row, offset, mult in zip(where, offsets[keep], m[keep], strict=True):
            table_offsets[row, fill[row]], table_m[row, fill[row]] = offset, mult
            fill[row] += 1
        return np.clip(steps, nt.STEP_MIN, nt.STEP_MAX), table_offsets, table_m

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        if bool(self.precise_times):
            K = self.precise_table()[1].shape[1]
            self.precise_offsets = ShortTermState(
                -jnp.ones(K, environ.dftype()), name="precise_offsets"
            )
            self.precise_multiplicities = ShortTermState(
                jnp.zeros(K, environ.dftype()), name="precise_multiplicities"
            )
        if self.has_spike_weights:
            self.spike_weight_sums = ShortTermState(
                jnp.zeros(2, environ.dftype()), name="spike_weight_sums"
            )

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        steps, counts, sums = self.emission_table()
        if self.has_spike_weights and "spike_weight_sums" not in self.__dict__:
            raise ParameterError(
                f"{type(self).__name__}: spike_weights were set after the states were "
                "created; call nd.init_all_states again"
            )
        if len(steps) == 0:
            if self.has_spike_weights:
                self.spike_weight_sums.value = jnp.zeros(2, dtype)
            return jnp.zeros((), dtype)
        table = jnp.asarray(steps, jnp.int32)
        index = jnp.clip(jnp.searchsorted(table, i), 0, len(steps) - 1)
        hit = table[index] == i
        if bool(self.precise_times):
            _, offsets, multiplicities = self.precise_table()
            if offsets.shape[1] != self.precise_offsets.value.shape[0]:
                raise ParameterError(
                    f"{type(self).__name__}: spike_times changed after the states were "
                    "created; call nd.init_all_states again"
                )
            self.precise_offsets.value = jnp.where(hit, jnp.asarray(offsets, dtype)[index], -1.0)
            self.precise_multiplicities.value = jnp.where(
                hit, jnp.asarray(multiplicities, dtype)[index], 0.0
            )
        if self.has_spike_weights:
            now = jnp.asarray(sums, dtype)[index]
            self.spike_weight_sums.value = jnp.where(hit, now, 0.0).astype(dtype)
        return jnp.where(hit, jnp.asarray(counts, dtype)[index], 0.0).astype(dtype)


def _values_or(values: Any, n: int, default: float) -> np.ndarray:
    if values is None or np.size(values) == 0:
        return np.full(n, default)
    return np.asarray(values, dtype=np.float64).ravel()
