"""NEST's ``pulsepacket_generator``: Gaussian packets of spikes around given times."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import HiddenState
from . import _nest_time as nt
from ._generator import Generator, _or_empty


class pulsepacket_generator(Generator):  # noqa: N801 (NEST's model name)
    r"""Packets of ``activity`` spikes with Gaussian times around each of ``pulse_times``
    (NEST ``pulsepacket_generator``). All targets receive the same spikes (NEST sends
    one ``SpikeEvent`` to all).

    NEST works per *communication interval* of ``min_delay`` (``L`` steps; slices
    ``[T, T + L)`` with ``T`` a multiple of ``L``) and only in slices whose first step
    ``T`` is active by its current-generator rule (``t_min - 1 <= T <= t_max - 2``;
    ``models/pulsepacket_generator.cpp``, ``update``). In the first active slice in
    which a pulse centre ``c`` satisfies ``c - T h <= tol`` (``tol = 10 sdev``, or 1 ms
    when ``sdev = 0``; centres ``<= tol`` count from the first active slice on, centres
    ``< -tol`` never), it draws the pulse's ``activity`` times ``x = c + sdev N(0, 1)``,
    drops those before ``T h`` (as ``Time::ms(x) < T``), and rounds the others *up* to a
    step ``s = ceil(x / h)`` (``Time::get_steps``). A spike with step ``s`` is emitted in
    step ``s`` (stamp ``(s + 1) h``) if the slice containing ``s`` is active. So a pulse at
    6.0 ms leaves in step 60 (stamp 6.1 ms), and which pulses near ``start``/``stop``
    survive depends on ``min_delay``: set it to the network's minimal delay (NEST's
    kernel ``min_delay``) to reproduce NEST exactly; the default is one step.

    Sampling: with ``sdev = 0`` the train is deterministic (a table of steps). With
    ``sdev > 0`` the device keeps, in the state ``spike_steps`` (``(n_pulses,
    activity)``), the step of every drawn spike (-1: none), drawn from
    :mod:`neurodyn.random` in the step that starts the pulse's slice.

    =================  =========  ======================================================
    parameter          default    meaning
    =================  =========  ======================================================
    ``pulse_times``    []         centres of the pulses (ms; sorted by the device)
    ``activity``       0          spikes per pulse (whole, ``>= 0``)
    ``sdev``           0 ms       standard deviation of the spike times (``>= 0``)
    ``min_delay``      h          NEST's communication interval (a multiple of ``h``)
    ``start``          0 ms       activation time, relative to ``origin``
    ``stop``           inf ms     deactivation time, relative to ``origin``
    ``origin``         0 ms       offset of ``start`` and ``stop``
    =================  =========  ======================================================

    **Returns** of :meth:`update`: the spike count emitted in this step (scalar float;
    ``(batch, 1)`` when batched).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn import devices
    >>> pp = devices.pulsepacket_generator([0.5, 1.0] * u.ms, activity=3)
    >>> _ = nd.init_all_states(pp)
    >>> counts = nd.for_loop(pp.update, length=12, clock=pp)
    >>> [int(s) for s in jnp.nonzero(counts)[0]], [int(c) for c in counts[counts > 0]]
    ([5, 10], [3, 3])
    """

    kind = "spike"
    ACTIVITY_SHIFT = 2

    pulse_times = Param(u.ms)
    activity = Param(u.UNITLESS, nonnegative=True, per_neuron=False)
    sdev = Param(u.ms, nonnegative=True, per_neuron=False)
    min_delay = Param(u.ms, positive=True, optional=True, per_neuron=False)

    def __init__(
        self,
        pulse_times: Any = None,
        activity: int = 0,
        sdev: Any = 0.0 * u.ms,
        *,
        min_delay: Any = None,
        start: Any = 0.0 * u.ms,
        stop: Any = jnp.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(
            start=start, stop=stop, origin=origin, name=name,
            pulse_times=_or_empty(pulse_times, u.ms), activity=activity, sdev=sdev,
            min_delay=min_delay,
        )  # fmt: skip

    def check_parameters(self) -> None:
        super().check_parameters()
        owner = type(self).__name__
        if "activity" in self.__dict__:
            activity = float(self.activity)
            if activity != round(activity):
                raise ParameterError(f"{owner}.activity must be a whole number, got {activity:g}")
        if "pulse_times" in self.__dict__ and nt.ms_of(self.pulse_times).ndim != 1:
            raise ParameterError(f"{owner}.pulse_times must be a 1-d list")
        if self.__dict__.get("min_delay") is not None:
            self.slice_steps()

    def slice_steps(self) -> int:
        """``min_delay`` in steps (1 when not given)."""
        if self.min_delay is None:
            return 1
        tps = nt.tics_per_step()
        value = float(nt.ms_of(self.min_delay))
        tics = nt.tics(value)
        if tics <= 0 or tics % tps:
            raise ParameterError(
                f"{type(self).__name__}.min_delay must be a positive multiple of dt = "
                f"{tps / nt.TICS_PER_MS:g} ms, got {value:g} ms"
            )
        return tics // tps

    def _centres(self) -> np.ndarray:
        return np.sort(nt.ms_of(self.pulse_times).ravel())

    def _tolerance(self) -> float:
        sdev = float(nt.ms_of(self.sdev))
        return sdev * 10.0 if sdev > 0 else 1.0

    def _slice_active(self, step: Any) -> Any:
        """Whether the slice that contains ``step`` is active (traceable or host)."""
        first, last = self.active_steps()
        length = self.slice_steps()
        start = (step // length) * length
        return (start >= first) & (start <= last)

    def generation_steps(self) -> np.ndarray:
        """For each (sorted) pulse, the first step of the slice in which NEST draws its
        spikes, or -1 if it never does."""
        centres = self._centres()
        tol = self._tolerance()
        tps = nt.tics_per_step()
        first, last = self.active_steps()
        length = self.slice_steps()
        first_slice = max(-(-max(first, 0) // length) * length, 0)
        out = np.full(len(centres), -1, dtype=np.int64)
        if first_slice > last:
            return out
        for k, c in enumerate(centres.tolist()):
            if c < -tol:
                continue  # skipped before the run starts
            if c <= tol:
                out[k] = first_slice
                continue
            # first slice T >= first_slice with (tics(c) - T tps) / 1000 <= tol
            tics_c = nt.tics(c)
            need = (tics_c - tol * nt.TICS_PER_MS) / tps
            slice_start = max(first_slice, int(np.ceil(need / length - 1e-12)) * length)
            while slice_start > first_slice and (
                (tics_c - (slice_start - length) * tps) * 0.001 <= tol
            ):
                slice_start -= length
            while (tics_c - slice_start * tps) * 0.001 > tol:
                slice_start += length
            if slice_start <= last:
                out[k] = slice_start
        return out

    def deterministic_table(self) -> tuple[np.ndarray, np.ndarray]:
        """``sdev = 0``: the emission steps (sorted, unique) and the spikes per step."""
        tps = nt.tics_per_step()
        activity = int(self.activity)
        steps = []
        for c, gen in zip(self._centres().tolist(), self.generation_steps().tolist(), strict=True):
            tics_c = nt.tics(c)
            if gen < 0 or tics_c < gen * tps:
                continue
            s = nt.steps_up(tics_c, tps)
            if bool(self._slice_active(s)):
                steps.append(s)
        unique, counts = np.unique(np.asarray(steps, dtype=np.int64), return_counts=True)
        return np.clip(unique, nt.STEP_MIN, nt.STEP_MAX), counts * activity

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        if float(nt.ms_of(self.sdev)) > 0:
            shape = (*self.shared_shape()[:1], len(self._centres()), int(self.activity))
            self.spike_steps = HiddenState(jnp.full(shape, -1, jnp.int32), name="spike_steps")

    def update(self) -> Any:
        dtype = environ.dftype()
        i = self.step_index()
        if float(nt.ms_of(self.sdev)) == 0:
            steps, counts = self.deterministic_table()
            if len(steps) == 0:
                return jnp.zeros(self.shared_shape(), dtype)
            table = jnp.asarray(steps, jnp.int32)
            index = jnp.clip(jnp.searchsorted(table, i), 0, len(steps) - 1)
            count = jnp.where(table[index] == i, jnp.asarray(counts, dtype)[index], 0.0)
            return jnp.broadcast_to(count, self.shared_shape()).astype(dtype)
        return self._random_update(i, dtype)

    def _random_update(self, i: Any, dtype: Any) -> Any:
        if "spike_steps" not in self.__dict__ or self.spike_steps.value.shape[-2:] != (
            len(self._centres()),
            int(self.activity),
        ):
            raise ParameterError(
                f"{type(self).__name__}: pulse_times, activity or sdev changed after the "
                "states were created; call nd.init_all_states again"
            )
        tps = nt.tics_per_step()
        centres = jnp.asarray(self._centres(), dtype)
        generate = jnp.asarray(self.generation_steps(), jnp.int32) == i
        sdev = float(nt.ms_of(self.sdev))
        key = nd_random.split_key()
        buffer = self.spike_steps.value

        def draw(key: jax.Array) -> jax.Array:
            x = centres[:, None] + sdev * jax.random.normal(key, buffer.shape, dtype)
            tics = jnp.trunc(x * nt.TICS_PER_MS + 0.5)  # Time::ms
            keep = tics >= i.astype(dtype) * tps  # not before the slice
            steps = jnp.trunc((tics + (tps - 1)) * (1.0 / tps)).astype(jnp.int32)  # get_steps
            return jnp.where(generate[:, None] & keep, steps, buffer)

        buffer = jax.lax.cond(generate.any(), draw, lambda _: buffer, key)
        self.spike_steps.value = buffer
        count = jnp.sum(buffer == i, axis=(-2, -1)).astype(dtype)
        count = jnp.where(self._slice_active(i), count, 0.0)
        return count.reshape(self.shared_shape())
