"""Recording devices with NEST's timing: spike_recorder, multimeter, voltmeter.

A recorder writes into fixed buffers inside the compiled loop (no host call per
step); after each simulation the network moves what it recorded to the host, so a
long simulation made of several ``Simulate`` calls never holds more than one call's
records on the device.

Recording window (NEST's rule for recording devices): an event or sample with time
stamp ``t`` is kept when ``origin + start < t <= origin + stop``. A spike emitted in
step ``i`` has the stamp ``(i + 1) dt``, the end of its step; a multimeter samples at
the stamps that are whole multiples of its ``interval``, after the neurons' update.
"""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import Param
from ..core._state import ShortTermState
from ..nest._binary import BinaryNeuron
from ..ops import append_spike_events


class Recorder(Module):
    """Base of the recording devices: the window ``(origin + start, origin + stop]``."""

    start = Param(u.ms, nonnegative=True, per_neuron=False)
    stop = Param(u.ms, nonnegative=True, allow_inf=True, per_neuron=False)
    origin = Param(u.ms, nonnegative=True, per_neuron=False)

    def __init__(self, start: Any, stop: Any, origin: Any, name: str | None = None):
        super().__init__(name)
        self.start, self.stop, self.origin = start, stop, origin
        self.sources: list[tuple[Module, np.ndarray, np.ndarray]] = []

    def check_parameters(self) -> None:
        values = self.__dict__
        if "start" in values and "stop" in values and not self.start <= self.stop:
            raise ParameterError(
                f"{type(self).__name__}.stop must be >= start, got start="
                f"{u.describe(self.start)}, stop={u.describe(self.stop)}"
            )

    def window_steps(self) -> tuple[float, float]:
        """The window in steps: stamps ``k`` (in steps) with ``lo < k <= hi`` are kept."""
        dt = float(u.to_float(environ.get_dt(), u.ms))
        origin = float(u.to_float(self.origin, u.ms))
        lo = (origin + float(u.to_float(self.start, u.ms))) / dt
        hi = (origin + float(u.to_float(self.stop, u.ms))) / dt
        return round(lo, 6), round(hi, 6) if np.isfinite(hi) else np.inf

    def in_window(self, stamp: Any) -> Any:
        """Whether a stamp (in steps, at least 1) lies in the recording window (``True``
        itself when the window holds every stamp)."""
        lo, hi = self.window_steps()
        if lo < 1 and hi == np.inf:
            return True
        inside = stamp > lo
        return inside if hi == np.inf else inside & (stamp <= hi)

    def connect_source(self, model: Module, indices: np.ndarray, ids: np.ndarray) -> None:
        """Record ``model``'s neurons ``indices`` (local), known by global ``ids``."""
        self.sources.append((model, np.asarray(indices, np.int32), np.asarray(ids, np.int64)))


class EventRecorder(Recorder):
    """A recorder of events in fixed buffers: ``capacity`` events per simulation call;
    a call that records more is repeated with a larger buffer by the network.
    ``FIELDS``: the recorded arrays besides the step, with their dtypes."""

    FIELDS: dict[str, str] = {}

    def __init__(self, start: Any, stop: Any, origin: Any, name: str | None = None):
        super().__init__(start, stop, origin, name)
        self.capacity = 1024
        self._collected: list[dict[str, np.ndarray]] = []

    def init_state(self, batch_size: int | None = None) -> None:
        self.steps = ShortTermState(jnp.zeros(self.capacity, jnp.int32), name="steps")
        for key, kind in self.FIELDS.items():
            dtype = environ.dftype() if kind == "float" else jnp.int32
            setattr(self, key, ShortTermState(jnp.zeros(self.capacity, dtype), name=key))
        self.count = ShortTermState(jnp.zeros((), jnp.int32), name="count")

    def reserve(self, capacity: int) -> None:
        """Make room for ``capacity`` events per simulation call (grows, never shrinks)."""
        if capacity > self.capacity:
            self.capacity = capacity
            self.init_state()

    def overflowed(self) -> int:
        """How many events the last call recorded beyond its capacity (0 if none)."""
        return max(int(self.count.value) - self.capacity, 0)

    def collect(self) -> None:
        """Move the last call's events to the host and empty the buffer."""
        n = int(self.count.value)
        dt = float(u.to_float(environ.get_dt(), u.ms))
        part = {"times": (np.asarray(self.steps.value[:n], np.int64) + 1) * dt}
        for key, kind in self.FIELDS.items():
            dtype = np.float64 if kind == "float" else np.int64
            part[key] = np.asarray(getattr(self, key).value[:n], dtype)
        self._collected.append(part)
        self.count.value = jnp.zeros((), jnp.int32)

    @property
    def n_events(self) -> int:
        return int(sum(len(part["times"]) for part in self._collected))

    @property
    def events(self) -> dict[str, np.ndarray]:
        keys = {"times": "float", **self.FIELDS}
        return {
            key: np.concatenate([part[key] for part in self._collected])
            if self._collected
            else np.zeros(0, np.float64 if kind == "float" else np.int64)
            for key, kind in keys.items()
        }

    def clear(self) -> None:
        """Forget the recorded events (NEST: ``n_events = 0``)."""
        self._collected = []


class spike_recorder(EventRecorder):  # noqa: N801 (NEST's device name)
    """Records the spikes of the neurons connected to it (NEST ``spike_recorder``).

    ==========  ========  =====================================================
    parameter   default   meaning
    ==========  ========  =====================================================
    ``start``   0 ms      record spikes stamped after ``origin + start``
    ``stop``    inf ms    ... and at or before ``origin + stop``
    ``origin``  0 ms      shift of the window
    ==========  ========  =====================================================

    ``events`` (after a simulation): ``{"senders": ids, "times": ms, "offsets": ms}``,
    in the order recorded (by step, then by sender): times the end of the step of each
    spike less its offset, the precise time of a spike of an off-grid neuron (a ``*_ps``
    model or ``iaf_chxk_2008``; NEST's offsets, 0 for other neurons). A binary neuron's
    up transition is two events, its down transition one (NEST's spikes of multiplicity
    2 and 1).
    The buffer holds ``capacity`` events per simulation call; a call that records
    more is repeated with a larger buffer by the network.
    """

    FIELDS = {"senders": "int", "offsets": "float"}

    def __init__(
        self,
        start: Any = 0.0 * u.ms,
        stop: Any = np.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(start, stop, origin, name)

    def record(self) -> None:
        """Append this step's spikes of the sources (inside the compiled loop)."""
        step = environ.get("i")
        active = self.in_window(step + 1)
        precise = any(_off_grid(model) for model, _, _ in self.sources)
        for model, indices, ids in self.sources:
            spikes = model.spike.value
            if isinstance(model, BinaryNeuron):
                spikes, indices, ids = _transitions(model.spike_offset.value, indices, ids)
            if active is not True:
                spikes = jnp.where(active, spikes, jnp.zeros_like(spikes))
            count = self.count.value
            self.steps.value, self.senders.value, self.count.value = append_spike_events(
                spikes, indices, ids, step, self.steps.value, self.senders.value, self.count.value
            )
            if precise:  # the offsets of the same events, in the same order
                fired = spikes[indices] != 0
                offset = jnp.zeros(fired.shape, self.offsets.value.dtype)
                if _off_grid(model):
                    offset = u.to_float(model.spike_offset.value, u.ms)[indices]
                where = jnp.where(fired, count + jnp.cumsum(fired) - 1, self.capacity)
                self.offsets.value = self.offsets.value.at[where].set(offset, mode="drop")

    def collect(self) -> None:
        super().collect()
        part = self._collected[-1]
        part["times"] = part["times"] - part["offsets"]

    @property
    def n_sources(self) -> int:
        """The number of events one step can bring (a binary neuron's up transition: 2)."""
        return sum(len(indices) * (2 if isinstance(model, BinaryNeuron) else 1)
                   for model, indices, _ in self.sources)  # fmt: skip


def _off_grid(model: Module) -> bool:
    """Whether ``model``'s spikes carry offsets (a NEST off-grid neuron)."""
    return bool(getattr(model, "OFF_GRID", False))


def _transitions(change: Any, indices: Any, ids: Any) -> tuple[Any, Any, Any]:
    """The recorded binary neurons' state changes ``change`` (+1 up, -1 down) as NEST's
    spike recorder sees them: ``(spikes, indices, ids)`` with two slots per neuron, the
    first set at any transition, the second at an up transition only, so that an up
    transition is two adjacent events of the same sender."""
    change = change[jnp.asarray(indices)]
    spikes = jnp.stack([change != 0, change > 0], axis=-1).reshape(-1)
    return spikes, jnp.arange(spikes.size, dtype=jnp.int32), jnp.repeat(jnp.asarray(ids), 2)


class weight_recorder(EventRecorder):  # noqa: N801 (NEST's device name)
    """Records the weight each spike carries through plastic connections (NEST
    ``weight_recorder``): attach it with ``syn_spec={"weight_recorder": wr}`` (or in a
    synapse model's defaults).

    An event is stamped with the presynaptic spike's time ``t_pre`` (not
    ``t_pre + delay``), as NEST does; a spike that is not transmitted (a failed
    quantal release) is not recorded. Window parameters as :class:`spike_recorder`.

    ``events``: ``{"senders", "targets", "times", "weights"}`` (global ids, ms, the
    weight in the target's weight unit), in the order recorded.
    """

    FIELDS = {"senders": "int", "targets": "int", "weights": "float"}

    def __init__(
        self,
        start: Any = 0.0 * u.ms,
        stop: Any = np.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(start, stop, origin, name)

    def record(self) -> None:
        """Nothing per step: the plastic connections append their events."""

    def append(self, step: Any, senders: Any, targets: Any, weights: Any, mask: Any) -> None:
        """Append the events where ``mask`` holds (inside the compiled loop)."""
        active = self.in_window(step + 1)
        mask = mask if active is True else mask & active
        mask, senders, targets, weights = (jnp.ravel(a) for a in (mask, senders, targets, weights))
        position = self.count.value + jnp.cumsum(mask) - 1
        where = jnp.where(mask, position, self.capacity)
        self.steps.value = self.steps.value.at[where].set(step, mode="drop")
        self.senders.value = self.senders.value.at[where].set(
            senders.astype(jnp.int32), mode="drop"
        )
        self.targets.value = self.targets.value.at[where].set(
            targets.astype(jnp.int32), mode="drop"
        )
        self.weights.value = self.weights.value.at[where].set(
            weights.astype(self.weights.value.dtype), mode="drop"
        )
        self.count.value = self.count.value + jnp.sum(mask, dtype=jnp.int32)


class multimeter(Recorder):  # noqa: N801 (NEST's device name)
    """Samples recordables of the neurons connected to it (NEST ``multimeter``).

    ===============  ========  ==============================================
    parameter        default   meaning
    ===============  ========  ==============================================
    ``record_from``  ``()``    names of recordables (the models' NEST names)
    ``interval``     1 ms      sampling interval, a whole number of steps
    ``start``        0 ms      sample stamps after ``origin + start``
    ``stop``         inf ms    ... and at or before ``origin + stop``
    ``origin``       0 ms      shift of the window
    ===============  ========  ==============================================

    ``events``: ``{"senders", "times", name: values...}`` in NEST's layout: one entry
    per sample and neuron, time-major. Samples are taken after the neurons' update
    at the stamps ``k * interval``.
    """

    interval = Param(u.ms, positive=True, per_neuron=False)

    def __init__(
        self,
        record_from: Any = (),
        interval: Any = 1.0 * u.ms,
        start: Any = 0.0 * u.ms,
        stop: Any = np.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(start, stop, origin, name)
        if isinstance(record_from, str):
            record_from = (record_from,)
        self.record_from = tuple(record_from)
        self.interval = interval
        self.samples = 0  # samples per simulation call, set by prepare()
        self.first = 0
        self._records: list[tuple[np.ndarray, dict[str, np.ndarray]]] = []

    def interval_steps(self) -> int:
        ratio = float(u.to_float(self.interval, u.ms)) / float(u.to_float(environ.get_dt(), u.ms))
        steps = round(ratio)
        if abs(ratio - steps) > 1e-9 * max(ratio, 1.0) or steps < 1:
            raise ParameterError(
                f"multimeter.interval must be a whole number of steps of dt = "
                f"{u.describe(environ.get_dt())}, got {u.describe(self.interval)}"
            )
        return steps

    def check_sources(self) -> None:
        for model, _, _ in self.sources:
            names = getattr(model, "recordables", ())
            unknown = [name for name in self.record_from if name not in names]
            if unknown:
                raise ParameterError(
                    f"multimeter.record_from: {type(model).__name__} has no recordable "
                    f"{unknown[0]!r}; it records {tuple(names)}"
                )

    def prepare(self, first_step: int, n_steps: int) -> None:
        """Size the buffers for a call of ``n_steps`` steps from ``first_step``."""
        k = self.interval_steps()
        self.first = first_step // k
        self.samples = (first_step + n_steps) // k - self.first
        n_targets = sum(len(indices) for _, indices, _ in self.sources)
        zeros = jnp.zeros(
            (len(self.record_from), max(self.samples, 1), n_targets), environ.dftype()
        )
        if getattr(self, "values", None) is not None and self.values.value.shape == zeros.shape:
            self.values.value = zeros  # same state: a compiled program for it stays valid
        else:
            self.values = ShortTermState(zeros, "values")

    def init_state(self, batch_size: int | None = None) -> None:
        self.prepare(0, 0)

    def record(self) -> None:
        """Store a sample if this step ends on a multiple of the interval."""
        if not self.record_from or self.samples == 0:
            return
        step = environ.get("i")
        k = self.interval_steps()
        due = ((step + 1) % k == 0) & self.in_window(step + 1)
        slot = jnp.where(due, (step + 1) // k - self.first - 1, self.samples)
        rows = []
        for name in self.record_from:
            parts = [
                jnp.asarray(u.magnitude(model.record(name)))[indices]
                for model, indices, _ in self.sources
            ]
            rows.append(jnp.concatenate(parts))
        sample = jnp.stack(rows).astype(self.values.value.dtype)
        self.values.value = self.values.value.at[:, slot].set(sample, mode="drop")

    def collect(self) -> None:
        """Move the last call's samples to the host."""
        if not self.record_from or self.samples == 0:
            return
        k = self.interval_steps()
        lo, hi = self.window_steps()
        stamps = (self.first + 1 + np.arange(self.samples)) * k
        keep = (stamps > lo) & (stamps <= hi)
        values = np.asarray(self.values.value)[:, keep]
        self._records.append(
            (stamps[keep], {name: values[r] for r, name in enumerate(self.record_from)})
        )

    @property
    def events(self) -> dict[str, np.ndarray]:
        ids = np.concatenate([ids for _, _, ids in self.sources]) if self.sources else []
        dt = float(u.to_float(environ.get_dt(), u.ms))
        stamps = np.concatenate([s for s, _ in self._records]) if self._records else np.zeros(0)
        out = {
            "times": np.repeat(stamps * dt, len(ids)),
            "senders": np.tile(np.asarray(ids, np.int64), len(stamps)),
        }
        for name in self.record_from:
            parts = [v[name].reshape(-1) for _, v in self._records]
            out[name] = np.concatenate(parts) if parts else np.zeros(0)
        return out

    def clear(self) -> None:
        self._records = []


class voltmeter(multimeter):  # noqa: N801 (NEST's device name)
    """A :class:`multimeter` recording ``V_m`` (NEST ``voltmeter``)."""

    def __init__(
        self,
        interval: Any = 1.0 * u.ms,
        start: Any = 0.0 * u.ms,
        stop: Any = np.inf * u.ms,
        origin: Any = 0.0 * u.ms,
        name: str | None = None,
    ):
        super().__init__(("V_m",), interval, start, stop, origin, name)
