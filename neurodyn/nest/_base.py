"""What the NEST-compatible models share: NEST's update conventions in one place.

Every model here follows NEST's order within a time step of length ``h``:

1. integrate the dynamics over ``(t, t + h]`` with the stimulation current buffered
   in the *previous* step (NEST's ring buffer delays currents by one step) plus ``I_e``;
2. add the spikes arriving in this step (delta inputs) to the synaptic variables;
3. detect spikes, reset, and start the refractory count;
4. buffer this step's stimulation current for the next step.

Spike inputs arrive as delta inputs (:meth:`~neurodyn.Dynamics.add_delta_input`):
with a ``label`` naming one of the model's ``RECEPTOR_TYPES``, or unlabelled, in
which case the sign of each input picks the excitatory (``> 0``) or inhibitory
(``< 0``) receptor, as the sign of a connection's weight does in NEST.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._params import Param
from ..core._state import ShortTermState
from ..core._transforms import jit
from ..integrators import check_rkf45_status, rkf45_step
from ..neurons._base import Neuron, check_current
from ..surrogate import Surrogate

#: ``last_spike_time`` of a neuron that has not spiked (as NEST's ``-inf`` stand-in).
NEVER = -1e7


class ArchivingNode:
    """NEST's archiving node: a neuron that plastic synapses can end on. Its
    postsynaptic traces have the time constants ``tau_minus`` (default 20 ms) and
    ``tau_minus_triplet`` (110 ms); they are the neuron's parameters, as in NEST.
    The traces themselves are kept by the plastic connections (see
    :mod:`neurodyn.network._plastic`)."""

    tau_minus = Param(u.ms, positive=True)
    tau_minus_triplet = Param(u.ms, positive=True)

    def default_archive(self) -> None:
        """Set NEST's defaults of the trace time constants."""
        self.set(tau_minus=20.0 * u.ms, tau_minus_triplet=110.0 * u.ms)


class NESTNeuron(Neuron, ArchivingNode):
    """Base of the NEST-compatible point neurons.

    **Arguments:**

    - ``in_size``: population shape.
    - ``I_e``: constant input current (acts immediately, as in NEST).
    - ``spk_fun``, ``spk_reset``: as for :class:`~neurodyn.Neuron`.

    States (besides the model's own): ``I_stim`` (the stimulation current buffered
    for the next step), ``refractory_step_count`` (steps of refractoriness left),
    ``last_spike_time`` and ``spike``.
    """

    #: Names of the variables NEST's multimeter can record, in NEST's spelling.
    RECORDABLES: tuple[str, ...] = ("V_m",)
    #: Receptor names accepted as delta-input labels, with NEST's receptor numbers.
    RECEPTOR_TYPES: dict[str, int] = {}
    #: The unit of a spike's weight (NEST's: mV for jumps of V, pA for currents, nS for
    #: conductances); a connection's weight must have its dimension.
    WEIGHT_UNIT: u.Unit = u.pA
    #: Whether a connection's weights must be non-negative (NEST refuses a negative
    #: weight on the receptors of its conductance-based multi-receptor models).
    POSITIVE_WEIGHTS: bool = False
    #: Whether its spikes carry their time within the step (NEST's off-grid models): the
    #: state ``spike_offset``, ms before the step's end. Recorders and precise-timing
    #: targets take it.
    OFF_GRID: bool = False

    I_e = Param(u.pA)

    def __init__(
        self,
        in_size: Any,
        I_e: Any,
        spk_fun: Surrogate | None = None,
        spk_reset: str = "hard",
        name: str | None = None,
    ):
        super().__init__(in_size, spk_fun=spk_fun, spk_reset=spk_reset, name=name)
        self.I_e = I_e
        self.default_archive()

    @property
    def recordables(self) -> tuple[str, ...]:
        """The variables NEST records for this model (see :meth:`record`)."""
        return self.RECORDABLES

    def record(self, name: str) -> Any:
        """The current value of the recordable ``name`` (NEST's name)."""
        if name not in self.RECORDABLES:
            raise ParameterError(
                f"{type(self).__name__} has no recordable {name!r}; it records {self.RECORDABLES}"
            )
        return self._recordable(name)

    def _recordable(self, name: str) -> Any:
        if name == "V_m":
            return self.V.value
        raise NotImplementedError(name)

    def init_state(self, batch_size: int | None = None) -> None:
        super().init_state(batch_size)
        shape = self.varshape if batch_size is None else (batch_size, *self.varshape)
        dtype = environ.dftype()
        self.I_stim = ShortTermState(u.with_unit(jnp.zeros(shape, dtype), u.pA), name="I_stim")
        self.refractory_step_count = ShortTermState(
            jnp.zeros(shape, jnp.int32), name="refractory_step_count"
        )
        self.last_spike_time = ShortTermState(
            u.with_unit(jnp.full(shape, NEVER, dtype), u.ms), name="last_spike_time"
        )

    # -- adaptive integration (models that NEST integrates with GSL's RKF45) ------------

    def init_adaptive_step(self, shape: tuple[int, ...], h0: Any = None) -> None:
        """Create ``integration_step`` (each neuron's RKF45 step size, NEST's
        ``IntegrationStep_``, starting at ``h0`` or ``dt``) and ``integration_status``."""
        h0 = environ.get_dt() if h0 is None else h0
        self.integration_step = ShortTermState(
            u.with_unit(jnp.full(shape, u.to_float(h0, u.ms), environ.dftype()), u.ms),
            name="integration_step",
        )
        self.integration_status = ShortTermState(
            jnp.zeros(shape, jnp.int32), name="integration_status"
        )

    def integrate_adaptive(self, f: Any, y: Any, *args: Any, **control: Any) -> Any:
        """One step of ``dy/dt = f(y, t, *args)`` by GSL-style RKF45 with this neuron's
        persistent step sizes; ``control``: :func:`rkf45_step`'s options. Returns the
        :class:`~neurodyn.integrators.RKF45Result` (``.y`` the new state).
        A failure is kept in ``integration_status`` (the first one sticks) and raised
        by :meth:`check_health` after the run."""
        result = self.rkf45(f, y, self.integration_step.value, *args, **control)
        self.keep_integration(result)
        return result

    def keep_integration(self, result: Any) -> None:
        """Store the step sizes an RKF45 result proposes and any failure it reports."""
        self.integration_step.value = result.h
        status = self.integration_status.value
        self.integration_status.value = jnp.where(status != 0, status, result.status)

    def rkf45(self, f: Any, y: Any, h: Any, *args: Any, t: Any = None, **control: Any) -> Any:
        """:func:`rkf45_step` over one step ``dt`` from step sizes ``h`` (touches no state).

        Called from Python, outside any compiled loop (a NEST-style script stepping
        the model), the adaptive loop is compiled once and reused: traced afresh at
        every call it would cost seconds per step. It is compiled again when ``dt``
        changes or a parameter is set anew."""
        t = environ.get("t") if t is None else t
        dt = environ.get_dt()
        if _traced(y, h, t, args, control):
            return rkf45_step(f, y, t, dt, h, *args, **control)
        # Options that are data (the event's carry ``aux``, a quantity ``h_min``) are
        # arguments of the compiled step; numbers and functions are part of its key.
        data = {name: value for name, value in control.items() if not _static(value)}
        static = {name: value for name, value in control.items() if name not in data}
        return self._compiled_rkf45(f, dt, static)(y, t, h, data, *args)

    def _compiled_rkf45(self, f: Any, dt: Any, control: dict) -> Any:
        key = (
            _function_key(f),
            float(u.to_float(dt, u.ms)),
            tuple(sorted((name, _function_key(value)) for name, value in control.items())),
            tuple(id(value) for key, value in vars(self).items() if not key.startswith("_")),
        )
        cache = self.__dict__.setdefault("_rkf45_cache", {})
        if key not in cache:
            cache.clear()  # parameters or dt changed: older programs are stale

            def step(y: Any, t: Any, h: Any, data: dict, *args: Any) -> Any:
                return rkf45_step(f, y, t, dt, h, *args, **control, **data)

            cache[key] = jit(step)
        return cache[key]

    def check_health(self) -> None:
        if hasattr(self, "integration_status"):
            check_rkf45_status(self.integration_status.value, self.name)

    # -- the pieces of NEST's update, used by the models in this order ------------------

    def buffered_current(self) -> Any:
        """The stimulation current of the previous step plus ``I_e`` (step 1)."""
        return self.I_stim.value + self.I_e

    def spike_inputs(self, receptor: str | None = None, sign: int | None = None) -> Any:
        """This step's spike input (step 2) as a signed NEST weight, in the inputs' units.

        Without ``sign``: every unlabelled input (and those labelled ``receptor``) in
        full. With ``sign`` +1 (excitatory) or -1 (inhibitory): inputs labelled
        ``receptor`` are magnitudes and get that sign; of the unlabelled inputs only
        the parts of that sign count. Inhibitory input is thus negative, as a NEST
        weight is.
        """
        unknown = self.delta_input_labels() - set(self.RECEPTOR_TYPES) - {None}
        if unknown:
            raise ParameterError(
                f"{self.name}: delta inputs labelled {sorted(unknown)}; "
                f"{type(self).__name__} has receptors {sorted(self.RECEPTOR_TYPES)}"
            )
        total = 0.0
        if receptor is not None:
            for value in self.delta_inputs(receptor):
                total = total + (value if sign is None else sign * value)
        for value in self.delta_inputs(None):
            if sign is not None:
                clip = u.math.maximum if sign > 0 else u.math.minimum
                value = clip(value, 0.0 * value)
            total = total + value
        return total

    def emit(self, spike: Any, refractory_steps: Any) -> Any:
        """Record the spikes ``spike`` (surrogate output, 1 where the neuron fires),
        start the refractory count of firing neurons and count the others down
        (step 3). Returns ``spike``."""
        t_end = environ.get("t") + environ.get_dt()
        self.refractory_step_count.value, self.last_spike_time.value = after_spikes(
            spike, refractory_steps, self.refractory_step_count.value,
            self.last_spike_time.value, t_end,
        )  # fmt: skip
        self.spike.value = spike
        return spike

    def buffer_current(self, x: Any) -> None:
        """Keep this step's stimulation current for the next step (step 4)."""
        check_current(self.name, x)
        self.I_stim.value = u.math.broadcast_to(
            self.sum_current_inputs(x, self.V.value), self.I_stim.value.shape
        ).in_unit(u.pA)


def after_spikes(
    spike: Any, refractory_steps: Any, count: Any, last_spike_time: Any, t_end: Any
) -> tuple[Any, Any]:
    """The refractory count and the last spike time after a step whose spikes are
    ``spike`` (1 where a neuron fires): ``refractory_steps`` where it fires, else one step
    less (not below 0); ``t_end``, the step's end, where it fires."""
    fires = spike > 0
    count = jnp.where(fires, refractory_steps, jnp.maximum(count - 1, 0))
    return count, u.math.where(fires, t_end, last_spike_time)


def _traced(*values: Any) -> bool:
    """Whether any leaf of ``values`` is a tracer (we are inside a compiled function)."""
    leaves = jax.tree_util.tree_leaves(values, is_leaf=u.is_quantity)
    return any(isinstance(u.magnitude(leaf), jax.core.Tracer) for leaf in leaves)


def _static(value: Any) -> bool:
    """Whether an option is part of a compiled program (a number, flag, string,
    ``None`` or function) rather than data passed to it."""
    return value is None or callable(value) or isinstance(value, (bool, int, float, str))


def _function_key(value: Any) -> Any:
    """A hashable identity of a (bound) function or option value."""
    if callable(value):
        return (id(getattr(value, "__func__", value)), id(getattr(value, "__self__", None)))
    return value
