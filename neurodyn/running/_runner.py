"""``run``: simulate a model for a duration in one compiled program."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._clock import clock_of, tick
from ..core._compiler import compile_program
from ..core._errors import ParameterError, SimulationError
from ..core._loop import scan_states
from ..core._module import Module, reset_all_states
from ..core._progress import ProgressBar
from ..core._state import (
    HiddenState,
    ShortTermState,
    State,
    discover_states,
    read_values,
    write_values,
)
from ._monitors import Monitor


class RunResult(Mapping):
    """The records of a run: ``result["V"]`` (with units), ``result.ts``, timings.

    ``ts[k]`` is the time at the end of the step of record ``k`` (runs continue the
    model's time, so a second run's ``ts`` go on from the first's), so ``V`` recorded
    at ``ts[k]`` is ``V(ts[k])``; a spike recorded there was emitted in
    ``(ts[k] - dt, ts[k]]``. ``compile_time`` and ``run_time`` are wall-clock seconds
    of compilation and of the compiled simulation.
    """

    def __init__(
        self,
        records: dict[str, Any],
        ts: dict[str, Any],
        compile_time: float,
        run_time: float,
        n_steps: int,
        every: dict[str, int] | None = None,
    ):
        self._records = records
        self._ts = ts
        self._every = every or {name: 1 for name in records}
        self.compile_time = compile_time
        self.run_time = run_time
        self.n_steps = n_steps

    def truncated(self, last_step: int) -> RunResult:
        """The records up to and including the one that holds step ``last_step`` (counted
        from the start of the run)."""
        keep = {name: last_step // every + 1 for name, every in self._every.items()}
        records = {name: value[: keep[name]] for name, value in self._records.items()}
        ts = {name: value[: keep[name]] for name, value in self._ts.items()}
        return RunResult(records, ts, self.compile_time, self.run_time, last_step + 1, self._every)

    @property
    def ts(self) -> Any:
        """Record times of the first monitor (all monitors share them when ``every`` is equal)."""
        return next(iter(self._ts.values())) if self._ts else None

    def times(self, name: str) -> Any:
        """Record times of monitor ``name``."""
        return self._ts[name]

    def __getitem__(self, name: str) -> Any:
        return self._records[name]

    def __iter__(self):
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


def run(
    model: Module,
    duration: Any,
    inputs: Any = None,
    monitors: Mapping[str, Any] | None = None,
    progress_bar: bool | ProgressBar = False,
    check_finite: bool = True,
    reset: bool = False,
) -> RunResult:
    """Simulate ``model`` for ``duration``: ``model.update(*inputs)`` once per step.

    Time continues: the run starts at the model's current time (its clock, see
    :class:`~neurodyn.core.Clock`) and leaves the clock at its end, so two runs of
    ``T`` are one simulation of ``2 T``. ``reset=True`` (or
    :func:`~neurodyn.reset_all_states` before the run) starts over at ``t = 0``.

    **Arguments:**

    - ``model``: a module whose ``update`` advances one step (states initialised).
    - ``duration``: a time quantity; the run has ``round(duration / dt)`` steps.
    - ``inputs``: ``None`` (no arguments); a function ``(i, t) -> argument(s)`` of the
      step index and time; or an array/quantity with one entry per step of this run
      along its first axis, each entry a scalar or an array that broadcasts to the
      model's population shape (an array whose first axis could be read both as steps
      and as neurons is refused: give ``x[:, None]`` for one value per step, or
      ``lambda i, t: x`` for one value per neuron).
    - ``monitors``: ``{name: Monitor | State | "path.to.state" | function}``.
    - ``progress_bar``: ``True`` or a :class:`ProgressBar`.
    - ``check_finite``: raise :class:`SimulationError` if a hidden state ends NaN/inf
      or a module reports a failure (e.g. an adaptive integrator that could not
      keep its tolerance); the model is then left as it was before the run.
    - ``reset``: start over from the initial states at ``t = 0``.

    **Returns:** a :class:`RunResult`.
    """
    if reset:
        reset_all_states(model)
    n_steps = _n_steps(duration)
    dt = environ.get_dt()
    clock = clock_of(model)
    clock.check_settings(model.name)
    start = int(clock.step.value)
    mons = {
        name: m if isinstance(m, Monitor) else Monitor(m) for name, m in (monitors or {}).items()
    }
    for monitor in mons.values():
        monitor.bind(model, n_steps)
    step_inputs, xs = _input_function(inputs, n_steps, model)

    def one_step(per_step: Any, local: Any) -> None:
        model.update(*step_inputs(environ.get("i"), environ.get("t"), per_step))
        for monitor in mons.values():
            monitor.record(local)

    def body(x: Any) -> None:
        local, per_step = x
        tick(clock, one_step, per_step, local)

    kept, originals, compile_time, run_time = _simulate(body, n_steps, xs, mons, progress_bar)
    records = {name: m.result() for name, m in mons.items()}
    ts = {
        name: (start + (np.arange(n_steps // m.every) + 1) * m.every) * dt
        for name, m in mons.items()
    }
    every = {name: m.every for name, m in mons.items()}
    result = RunResult(records, ts, compile_time, run_time, n_steps, every)
    if check_finite:
        try:
            _check_finite(model)
        except SimulationError as error:
            write_values(kept, originals)
            diagnosis = _first_non_finite(model, body, n_steps, xs, start)
            error.result = result.truncated(diagnosis[1] - start) if diagnosis else result
            if diagnosis:
                path, step, neurons = diagnosis
                error.args = (
                    f"state {path} became non-finite (NaN or inf) in step {step} "
                    f"(t = {u.describe(step * dt)} to {u.describe((step + 1) * dt)}), "
                    f"first in neurons {neurons}: the simulation blew up. Check parameters "
                    "and inputs, or use a smaller dt or a more stable integrator. The model "
                    "is left as it was before the run; the record up to that step is in "
                    "this error's .result.",
                )
            else:
                error.args = (
                    f"{error.args[0]} The model is left as it was before the run; the "
                    "record is in this error's .result.",
                )
            raise
    return result


def _simulate(
    body: Callable[[Any], Any],
    n_steps: int,
    xs: Any,
    mons: Mapping[str, Monitor],
    progress_bar: bool | ProgressBar,
) -> tuple[list[State], list[Any], float, float]:
    """Compile and run ``body`` over ``n_steps``; returns the states it carries (less
    the monitor buffers), their values before the run, and the compile and run times.
    The states hold their values after the run."""
    steps = jnp.arange(n_steps, dtype=jnp.int32)
    first = (steps[0], jax.tree_util.tree_map(lambda a: a[0], xs))
    try:
        states, _ = discover_states(body, first)
    except AttributeError as error:
        raise ParameterError(
            f"{error}; were the model's states created (nd.init_all_states(model))?"
        ) from error
    # Monitor buffers are fresh arrays no one else holds: donate them to the program, so a
    # long record exists once in memory. Model states are not donated (users may hold them).
    buffers = {id(m.buffer) for m in mons.values()}
    kept = [s for s in states if id(s) not in buffers]
    donated = [s for s in states if id(s) in buffers]

    def program(kept_values: list[Any], donated_values: list[Any], xs: Any) -> list[Any]:
        write_values(kept, kept_values)
        write_values(donated, donated_values)
        scan_states(body, (steps, xs), progress_bar=progress_bar)
        return read_values(states)

    before = read_values(states)
    try:
        start = time.perf_counter()
        compiled = compile_program(
            program, read_values(kept), read_values(donated), xs, donate_argnums=1
        )
        compile_time = time.perf_counter() - start
        write_values(states, before)  # tracing left tracers in the states
        start = time.perf_counter()
        new_values = jax.block_until_ready(compiled(read_values(kept), read_values(donated), xs))
        run_time = time.perf_counter() - start
    except BaseException:
        write_values(states, before)
        raise
    write_values(states, new_values)
    originals = [v for s, v in zip(states, before, strict=True) if id(s) not in buffers]
    return kept, originals, compile_time, run_time


def _first_non_finite(
    model: Module, body: Callable[[Any], Any], n_steps: int, xs: Any, start: int
) -> tuple[str, int, list] | None:
    """Run ``body`` again from the current states, noting for every element of every
    floating hidden state the first step at which it was not finite. Returns the state's
    path, the (global) step and the first neurons (up to 10), or ``None`` if every state
    stayed finite; the states are left as they were."""
    trackers = []
    for path, state in model.states(HiddenState).items():
        for k, leaf in enumerate(jax.tree_util.tree_leaves(state.value)):
            if jnp.issubdtype(leaf.dtype, jnp.inexact):
                first = ShortTermState(jnp.full(leaf.shape, -1, jnp.int32), name="first_bad")
                trackers.append((path or state.name, k, state, first))

    def watched(x: Any) -> None:
        body(x)
        step = start + x[0]
        for _, k, state, first in trackers:
            leaf = jax.tree_util.tree_leaves(state.value)[k]
            bad = (first.value < 0) & ~jnp.isfinite(leaf)
            first.value = jnp.where(bad, step, first.value)

    steps = jnp.arange(n_steps, dtype=jnp.int32)
    first_x = (steps[0], jax.tree_util.tree_map(lambda a: a[0], xs))
    states, _ = discover_states(watched, first_x)
    before = read_values(states)
    try:
        scan_states(watched, (steps, xs))
        found = [(path, np.asarray(first.value)) for path, _, _, first in trackers]
    finally:
        write_values(states, before)
    found = [(path, first) for path, first in found if (first >= 0).any()]
    if not found:
        return None
    step = min(int(first[first >= 0].min()) for _, first in found)
    path, first = next((path, first) for path, first in found if (first == step).any())
    where = np.argwhere(first == step)
    neurons = [int(w[0]) if len(w) == 1 else tuple(int(i) for i in w) for w in where[:10]]
    return path, step, neurons


def _n_steps(duration: Any) -> int:
    if not (u.has_unit(duration) and u.same_dimension(duration, u.ms)):
        raise ParameterError(
            f"duration must be a time quantity (e.g. 100. * u.ms), got {u.describe(duration)}"
        )
    steps = float(u.to_float(duration, u.ms)) / float(u.to_float(environ.get_dt(), u.ms))
    if steps < 1:
        raise ParameterError(f"duration must be at least one time step, got {u.describe(duration)}")
    if abs(steps - round(steps)) > 1e-6 * steps:
        raise ParameterError(
            f"duration must be a whole number of time steps, got {u.describe(duration)} "
            f"with dt={u.describe(environ.get_dt())}"
        )
    return int(round(steps))


def _population_shape(model: Module) -> tuple[int, ...] | None:
    """The shape an input must broadcast to: the population's, with the batch axis of
    its states if they have one (``None`` for a model that is not a population)."""
    varshape = getattr(model, "varshape", None)
    if varshape is None:
        return None
    for state in model.__dict__.values():
        if isinstance(state, HiddenState):
            shape = tuple(jnp.shape(u.magnitude(state.value)))
            if shape[len(shape) - len(varshape) :] == tuple(varshape):
                return shape
    return tuple(varshape)


def _check_input_shape(name: str, shape: tuple, population: tuple[int, ...] | None) -> None:
    if population is None:
        return
    try:
        grown = np.broadcast_shapes(shape, population)
    except ValueError:
        grown = None
    if grown != population:
        raise ParameterError(
            f"{name} has shape {shape}, which does not broadcast to the population shape "
            f"{population} (give a scalar or an array of that shape)"
        )


def _input_function(inputs: Any, n_steps: int, model: Module) -> tuple[Callable[..., tuple], Any]:
    """A function ``(i, t, per_step) -> args`` and the per-step input arrays, with the
    rule of :func:`run` for arrays checked."""
    population = _population_shape(model)
    if inputs is None:
        return (lambda i, t, x: ()), ()
    if callable(inputs):

        def from_function(i: Any, t: Any, x: Any) -> tuple:
            args = _as_args(inputs(i, t))
            if len(args) == 1:
                shape = tuple(jnp.shape(u.magnitude(args[0])))
                _check_input_shape("inputs(i, t)", shape, population)
            return args

        return from_function, ()
    shape = tuple(jnp.shape(u.magnitude(inputs)))
    if shape[:1] != (n_steps,):
        raise ParameterError(
            f"inputs must be a function (i, t) -> args or have a leading "
            f"time axis of length {n_steps} (one entry per step of this run), got shape "
            f"{shape}"
        )
    if population is not None and shape == (n_steps,) and population == (n_steps,):
        raise ParameterError(
            f"inputs of shape {shape} could be one value per step or one value per neuron "
            f"(the run has {n_steps} steps and the population {n_steps} neurons); give "
            f"x[:, None] for one value per step, or lambda i, t: x for one value per neuron"
        )
    _check_input_shape("inputs[step]", shape[1:], population)
    return (lambda i, t, x: (x,)), inputs


def _as_args(value: Any) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _check_finite(model: Module) -> None:
    for _, module in model.modules():
        module.check_health()
    for path, state in model.states(HiddenState).items():
        for leaf in jax.tree_util.tree_leaves(state.value):
            if jnp.issubdtype(leaf.dtype, jnp.inexact) and not bool(jnp.isfinite(leaf).all()):
                raise SimulationError(
                    f"state {path or state.name} is not finite (NaN or inf) at the end of the "
                    "run: the simulation blew up. Check parameters and inputs, or use a "
                    "smaller dt or a more stable integrator."
                )
