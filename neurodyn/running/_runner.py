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
from ..core._errors import ParameterError, SimulationError
from ..core._loop import scan_states
from ..core._module import Module
from ..core._progress import ProgressBar
from ..core._state import HiddenState, discover_states, read_values, write_values
from ._monitors import Monitor


class RunResult(Mapping):
    """The records of a run: ``result["V"]`` (with units), ``result.ts``, timings.

    ``ts[k]`` is the time at the end of the step of record ``k``, so ``V`` recorded
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
    ):
        self._records = records
        self._ts = ts
        self.compile_time = compile_time
        self.run_time = run_time
        self.n_steps = n_steps

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
) -> RunResult:
    """Simulate ``model`` for ``duration``: ``model.update(*inputs)`` once per step.

    **Arguments:**

    - ``model``: a module whose ``update`` advances one step (states initialised).
    - ``duration``: a time quantity; the run has ``round(duration / dt)`` steps.
    - ``inputs``: ``None`` (no arguments), a function ``(i, t) -> argument(s)``, or an
      array/quantity with a leading time axis of length ``n_steps`` (one per step).
    - ``monitors``: ``{name: Monitor | State | "path.to.state" | function}``.
    - ``progress_bar``: ``True`` or a :class:`ProgressBar`.
    - ``check_finite``: raise :class:`SimulationError` if a hidden state ends NaN/inf
      or a module reports a failure (e.g. an adaptive integrator that could not
      keep its tolerance).

    **Returns:** a :class:`RunResult`.
    """
    n_steps = _n_steps(duration)
    dt = environ.get_dt()
    mons = {
        name: m if isinstance(m, Monitor) else Monitor(m) for name, m in (monitors or {}).items()
    }
    for monitor in mons.values():
        monitor.bind(model, n_steps)
    step_inputs, xs = _input_function(inputs, n_steps)

    def body(x: Any) -> Any:
        i, per_step = x
        t = i * dt
        with environ.context(t=t, i=i):
            model.update(*step_inputs(i, t, per_step))
            for monitor in mons.values():
                monitor.record(i)

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

    originals = read_values(states)
    try:
        start = time.perf_counter()
        compiled = (
            jax.jit(program, donate_argnums=1)
            .lower(read_values(kept), read_values(donated), xs)
            .compile()
        )
        compile_time = time.perf_counter() - start
        write_values(states, originals)  # tracing left tracers in the states
        start = time.perf_counter()
        new_values = jax.block_until_ready(compiled(read_values(kept), read_values(donated), xs))
        run_time = time.perf_counter() - start
    except BaseException:
        write_values(states, originals)
        raise
    write_values(states, new_values)
    if check_finite:
        _check_finite(model)
    records = {name: m.result() for name, m in mons.items()}
    ts = {name: (np.arange(n_steps // m.every) + 1) * m.every * dt for name, m in mons.items()}
    return RunResult(records, ts, compile_time, run_time, n_steps)


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


def _input_function(inputs: Any, n_steps: int) -> tuple[Callable[..., tuple], Any]:
    """A function ``(i, t, per_step) -> args`` and the per-step input arrays."""
    if inputs is None:
        return (lambda i, t, x: ()), ()
    if callable(inputs):
        return (lambda i, t, x: _as_args(inputs(i, t))), ()
    leading = jnp.shape(u.magnitude(inputs))[:1]
    if leading != (n_steps,):
        raise ParameterError(
            f"inputs must be a function (i, t) -> args or have a leading "
            f"time axis of length {n_steps}, got shape "
            f"{jnp.shape(u.magnitude(inputs))}"
        )
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
