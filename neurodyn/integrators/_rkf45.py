r"""Adaptive Runge–Kutta–Fehlberg 4(5) with GSL's step-size control, one step ``dt`` at a time.

NEST integrates its conductance-based and Hodgkin–Huxley models (``hh_psc_alpha``,
``aeif_*``, ``iaf_cond_*``, ...) with GSL's ``rkf45`` stepper, its standard error
control and ``gsl_odeiv_evolve_apply``, called in a loop until the simulation step
``dt`` is covered; each neuron keeps its own step size ``h`` across simulation steps.
:func:`rkf45_step` does the same for a whole population at once, so NEST's
trajectories are reproduced to rounding.

**The method** (Fehlberg 1969). Six stages

.. math::

   k_i = f\Big(y_n + h \sum_{j<i} a_{ij} k_j,\; t_n + c_i h\Big),\qquad
   y_{n+1} = y_n + h \sum_i b_i k_i,\qquad
   \varepsilon = h \sum_i e_i k_i

with Fehlberg's coefficients; like GSL, the *fifth*-order solution is propagated
(local extrapolation) and ``e = b - b*`` is the difference from the embedded
fourth-order one. The order GSL reports for ``rkf45`` is :math:`q = 5`.

**The control** (GSL's ``gsl_odeiv_control_standard``). After a trial step of size
``h``, with :math:`y` the new state and :math:`y'` the vector field there,

.. math::

   D_i = \epsilon_{abs} + \epsilon_{rel}\,\big(a_y |y_i| + a_{dydt}\, h\, |y'_i|\big),
   \qquad r = \max_i |\varepsilon_i| / D_i

over all state components of one neuron. With :math:`S = 0.9`:

- :math:`r > 1.1`: reject, retry with :math:`h \max(0.2,\, S r^{-1/q})`;
- :math:`r < 0.5`: accept, next :math:`h \min(5, \max(1,\, S r^{-1/(q+1)}))`;
- otherwise accept and keep ``h``.

``gsl_odeiv_control_y_new(eps_abs, eps_rel)`` is ``a_y=1, a_dydt=0`` (NEST's
``hh_psc_alpha``, ``iaf_cond_*``: ``eps_abs=1e-3, eps_rel=0``);
``gsl_odeiv_control_yp_new(eps_abs, eps_rel)`` is ``a_y=0, a_dydt=1`` (NEST's
``aeif_*``: ``eps_abs = eps_rel = gsl_error_tol``).

**The evolution over one step** (``gsl_odeiv_evolve_apply`` called while
``t_local < dt``; ``t_local`` starts at 0 every simulation step, as in NEST):

1. if ``h > dt - t_local`` the trial step is clamped to ``dt - t_local`` and is the
   final one (then ``t_local`` becomes exactly ``dt``), else ``t_local + h``;
2. a rejection (``r > 1.1``) retries from the same state with the smaller ``h``,
   unless the new ``h`` would not move ``t_local`` by one ulp: then the step is
   accepted with ``h`` unchanged (GSL's guard against stalling);
3. the step size stored after a step is the control's proposal computed from the
   step actually taken; after a clamped final step that is the clamped size times
   the growth factor, *not* the step size the neuron had before. This is what NEST
   keeps in ``IntegrationStep_`` for the next simulation step.

**Vectorised across neurons.** ``h`` has the population's shape; every state leaf
has that shape, possibly followed by per-neuron axes (e.g. receptors), which the
error norm reduces over. Each neuron has its own ``h``, its own local time, its own
accept/reject decisions and its own error ratio; a ``lax.while_loop`` runs until
every neuron has reached ``dt`` (finished neurons idle, masked). Neurons are
independent: a neuron's trajectory does not depend on the population it is in.
Inside the loop the state variables are rows of a few stacked arrays, so that a stage
is a few fused kernels rather than several per variable; the vector field still
receives its pytree.

**Units.** States are stripped to magnitudes in *each state's own unit*
(:class:`~neurodyn.integrators.MagnitudeSystem`), time in ms. ``eps_abs`` is
therefore an absolute tolerance in the units the model stores (NEST: mV, nS, pA):
store ``V`` in mV, not V, when matching NEST.

**Failures.** A neuron fails when its state or error estimate becomes NaN/inf, when
a rejected step would shrink ``h`` below ``h_min``, or when ``dt`` is not covered
within ``max_iters`` attempts. A failed neuron stops where it is (its last accepted,
finite state) and is reported in :attr:`RKF45Result.status` (one code per neuron,
see :class:`RKF45Status`), never as NaN. Inside a compiled loop nothing can be
raised, so a model keeps the codes in a ``ShortTermState`` (sticky: the first
failure wins) and the user checks them after the run with :func:`check_rkf45_status`,
which raises :class:`~neurodyn.SimulationError` naming the neurons and the reason
(it does nothing when given traced values, so a model may call it unconditionally).

**How a model uses it.** This is not a fixed-step method of ``integrate``'s
registry, since it carries ``h``. A model stores ``h`` as a ``ShortTermState``
initialised to ``dt`` (or NEST's ``min(0.01 ms, dt)`` for ``aeif_*``) and writes it
back each step::

    result = rkf45_step(self.derivative, (self.V.value, self.m.value), None, None,
                        self.h.value, I_ext, eps_abs=1e-3)
    self.V.value, self.m.value = result.y
    self.h.value = result.h
    self.status.value = jnp.where(self.status.value != 0, self.status.value, result.status)

Models that act *between* substeps (NEST's ``aeif_*`` reset ``V`` and add ``b`` to
``w`` after every accepted substep) pass ``event(y, aux) -> (y, aux)``; ``aux`` is a
pytree carried through the loop (refractory flags, spike counts) and handed to the
vector field as ``f(y, t, *args, aux=aux)``.

References: E. Fehlberg (1969), *Low-order classical Runge–Kutta formulas with
stepsize control and their application to some heat transfer problems*, NASA
TR R-315. M. Galassi et al., *GNU Scientific Library Reference Manual*, chapter
"Ordinary Differential Equations" (``rkf45``, ``gsl_odeiv_control_standard_new``,
``gsl_odeiv_evolve_apply``).
"""

from __future__ import annotations

import enum
import functools
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError, SimulationError
from ._explicit_rk import ButcherTableau
from ._stacked import StackedLayout
from ._system import MagnitudeSystem

__all__ = ["rkf45_step", "RKF45Result", "RKF45Status", "check_rkf45_status", "RKF45"]

RKF45 = ButcherTableau(
    a=(
        (),
        (1 / 4,),
        (3 / 32, 9 / 32),
        (1932 / 2197, -7200 / 2197, 7296 / 2197),
        (439 / 216, -8.0, 3680 / 513, -845 / 4104),
        (-8 / 27, 2.0, -3544 / 2565, 1859 / 4104, -11 / 40),
    ),
    b=(16 / 135, 0.0, 6656 / 12825, 28561 / 56430, -9 / 50, 2 / 55),  # fifth order
    c=(0.0, 1 / 4, 3 / 8, 12 / 13, 1.0, 1 / 2),
    order=5,  # the order GSL's control uses (gsl_odeiv_step_order)
)
"""Fehlberg's 4(5) pair; ``b`` is the propagated fifth-order solution."""

RKF45_ERROR = (1 / 360, 0.0, -128 / 4275, -2197 / 75240, 1 / 50, 2 / 55)
"""Error weights ``e = b - b*`` (fifth minus fourth order)."""

SAFETY = 0.9  # S: aim a little below the tolerance
MAX_DECREASE = 0.2  # h shrinks at most 5-fold per rejection
MAX_INCREASE = 5.0  # and grows at most 5-fold per step
REJECT_ABOVE = 1.1  # r above this rejects the step
GROW_BELOW = 0.5  # r below this grows h


class RKF45Status(enum.IntEnum):
    """Per-neuron outcome of :func:`rkf45_step`."""

    OK = 0
    NON_FINITE = 1  # the state or its error estimate became NaN or inf
    STEP_TOO_SMALL = 2  # a rejected step would have needed h < h_min (or h <= 0)
    TOO_MANY_ITERATIONS = 3  # dt was not covered within max_iters attempts


_REASONS = {
    RKF45Status.NON_FINITE: "the state became NaN or inf",
    RKF45Status.STEP_TOO_SMALL: "the adaptive step size fell below h_min",
    RKF45Status.TOO_MANY_ITERATIONS: "the step dt was not covered within max_iters substeps",
}


class RKF45Result(NamedTuple):
    """What :func:`rkf45_step` returns.

    - ``y``: the state at ``t + dt`` (for failed neurons, the last accepted state).
    - ``h``: each neuron's step size for the next call (time quantity).
    - ``status``: ``int32`` codes of :class:`RKF45Status`, one per neuron.
    - ``aux``: the event state after the step (``None`` without ``event``).
    """

    y: Any
    h: Any
    status: Any
    aux: Any = None

    @property
    def failed(self) -> Any:
        """Boolean array: which neurons failed."""
        return self.status != RKF45Status.OK


def rkf45_step(
    f: Callable[..., Any],
    y: Any,
    t: Any,
    dt: Any,
    h: Any,
    *args: Any,
    eps_abs: float = 1e-3,
    eps_rel: float = 0.0,
    a_y: float = 1.0,
    a_dydt: float = 0.0,
    h_min: Any = None,
    max_iters: int = 10_000,
    event: Callable[[Any, Any], tuple[Any, Any]] | None = None,
    aux: Any = None,
) -> RKF45Result:
    """Advance every neuron of ``dy/dt = f(y, t, *args)`` by ``dt`` with adaptive RKF45 substeps.

    **Arguments:**

    - ``f``: the vector field, elementwise across neurons; returns a pytree like ``y``
      in units of y per time. Called as ``f(y, t, *args, aux=aux)`` when ``aux`` is given.
    - ``y``: the state, a quantity or pytree of quantities whose leaves have the shape
      of ``h`` (optionally followed by per-neuron axes).
    - ``t``, ``dt``: time at the start of the step and the step (default: the context's).
    - ``h``: each neuron's current substep size, a time quantity with the population's
      shape (NEST's ``IntegrationStep_``; start with ``dt``).
    - ``args``: extra arguments of ``f`` (constant during the step, e.g. input current).
    - ``eps_abs``, ``eps_rel``, ``a_y``, ``a_dydt``: GSL's control parameters; ``eps_abs``
      is absolute in each state's own unit (see the module docstring).
    - ``h_min``: smallest allowed substep (time quantity); default 100 ulps of ``dt``
      (``2.2e-14 dt`` in float64, ``1.2e-5 dt`` in float32), just above where time stops
      advancing. NEST's ``aeif_*`` models take substeps near ``1e-10 ms`` at a spike:
      they need float64.
    - ``max_iters``: most substep attempts (accepted or rejected) per call.
    - ``event``: optional ``event(y, aux) -> (y, aux)``, applied after every accepted
      substep of a neuron (e.g. spike reset inside the step); elementwise across neurons.
    - ``aux``: the pytree ``event`` carries; leaves have the population's leading shape.

    **Returns:** an :class:`RKF45Result` ``(y, h, status, aux)``.

    >>> import jax.numpy as jnp, neurodyn as nd
    >>> from neurodyn import units as u
    >>> from neurodyn.integrators import rkf45_step
    >>> tau = jnp.array([10., 0.05]) * u.ms  # a slow and a fast neuron
    >>> res = rkf45_step(lambda V, t: -V / tau, jnp.ones(2) * u.mV, 0. * u.ms, 0.1 * u.ms,
    ...                  jnp.full(2, 0.1) * u.ms, eps_abs=1e-6)
    >>> [round(float(V), 5) for V in res.y.to_decimal(u.mV)]  # exp(-dt / tau)
    [0.99005, 0.13534]
    >>> [round(float(h), 4) for h in res.h.to_decimal(u.ms)]  # grown 5-fold; shrunk
    [0.5, 0.0133]
    >>> bool(res.failed.any())
    False
    """
    _check_control(eps_abs, eps_rel, a_y, a_dydt, max_iters)
    if not (u.has_unit(h) and u.same_dimension(h, u.ms)):
        raise ParameterError(f"h must be a time quantity, got {u.describe(h)}")
    t = environ.get("t") if t is None else t
    dt = environ.get_dt() if dt is None else dt
    system = MagnitudeSystem(f, y, t, dt, args)
    h0 = jnp.asarray(u.to_float(h, system.time_unit))
    if not jnp.issubdtype(h0.dtype, jnp.floating):
        h0 = h0.astype(environ.dftype())
    shape, dtype = h0.shape, h0.dtype
    ys0 = [jnp.asarray(v) for v in system.y0]
    for index, leaf in enumerate(ys0):
        if leaf.shape[: len(shape)] != shape:
            raise ParameterError(
                f"state variable {index} has shape {leaf.shape}, but h has shape {shape}: "
                "h must have the population's shape (one step size per neuron) and every "
                "state must start with that shape"
            )
    ys0 = [v.astype(jnp.result_type(v.dtype, dtype)) for v in ys0]
    layout = StackedLayout(ys0, shape, dtype)
    step = jnp.asarray(system.dt, dtype)
    if h_min is None:
        h_min = u.with_unit(step * (100 * float(jnp.finfo(dtype).eps)), system.time_unit)
    elif not (u.has_unit(h_min) and u.same_dimension(h_min, u.ms)):
        raise ParameterError(f"h_min must be a time quantity, got {u.describe(h_min)}")
    h_min = jnp.asarray(u.to_float(h_min, system.time_unit), dtype)
    control = _Control(eps_abs, eps_rel, a_y, a_dydt, h_min)

    def field_for(aux_value: Any) -> Callable[[list[Any], Any], list[Any]]:
        """The vector field on blocks (see :class:`StackedLayout`)."""
        rhs = system.rhs
        if aux is not None:
            bound = functools.partial(_call_with_aux, f, aux_value)
            rhs = MagnitudeSystem(bound, y, t, dt, args).rhs

        def field(blocks: list[Any], time: Any) -> list[Any]:
            derivatives = rhs(layout.unpack(blocks), time)
            return layout.pack([d.astype(v.dtype) for d, v in zip(derivatives, ys0, strict=True)])

        return field

    def cond(carry: tuple) -> Any:
        *_, active, iters, _aux = carry
        return jnp.any(active) & (iters < max_iters)

    def body(carry: tuple) -> tuple:
        ys, t_local, h_now, status, active, iters, aux_now = carry
        field = field_for(aux_now)
        remaining = step - t_local
        final = h_now > remaining
        h_try = jnp.where(final, remaining, h_now)
        t_start = system.t + t_local
        y_new, error = _rkf45_trial(field, layout, ys, t_start, h_try)
        dydt_new = field(y_new, t_start + h_try) if a_dydt else None
        ratio = control.error_ratio(layout, y_new, error, dydt_new, h_try)
        finite = ~jnp.isnan(ratio)
        h_next, rejected = control.adjust(ratio, h_try)
        t_after = jnp.where(final, step, t_local + h_try)
        # GSL retries only if the smaller step still moves t by at least one ulp.
        retry = rejected & (h_next < h_try) & (t_after + h_next != t_after)
        h_next = jnp.where(rejected & ~retry, h_try, h_next)
        too_small = (retry & (h_next < control.h_min)) | ~(h_now > 0)
        failing = active & (~finite | too_small)
        accept = active & ~retry & ~failing
        ys = layout.select(accept, y_new, ys)
        if event is not None:
            ys_event, aux_event = _apply_event(event, system, layout.unpack(ys), aux_now)
            ys = layout.select(accept, layout.pack(ys_event), ys)
            aux_now = _select_tree(accept, aux_event, aux_now)
        t_local = jnp.where(accept, t_after, t_local)
        h_now = jnp.where(active & ~failing, h_next, h_now)
        code = jnp.where(finite, RKF45Status.STEP_TOO_SMALL, RKF45Status.NON_FINITE)
        status = jnp.where(failing, code.astype(jnp.int32), status)
        active = active & ~failing & (t_local < step)
        return ys, t_local, h_now, status, active, iters + 1, aux_now

    init = (
        layout.pack(ys0),
        jnp.zeros(shape, dtype),
        h0,
        jnp.zeros(shape, jnp.int32),
        jnp.ones(shape, bool),
        jnp.asarray(0, jnp.int32),
        aux,
    )
    ys, _, h_new, status, active, _, aux_new = jax.lax.while_loop(cond, body, init)
    status = jnp.where(active, jnp.int32(RKF45Status.TOO_MANY_ITERATIONS), status)
    y_end = system.unflatten(layout.unpack(ys))
    return RKF45Result(y_end, u.with_unit(h_new, system.time_unit), status, aux_new)


def check_rkf45_status(status: Any, name: str = "the model") -> None:
    """Raise :class:`~neurodyn.SimulationError` if any neuron's ``status`` is not OK.

    ``status`` is :attr:`RKF45Result.status` or a model's stored copy of it. Given
    traced values (inside ``jit`` or a loop) this does nothing: keep the codes in a
    ``ShortTermState`` and check them after the run.
    """
    if isinstance(status, jax.core.Tracer):
        return
    codes = np.asarray(status)
    if not codes.any():
        return
    lines = []
    for code, reason in _REASONS.items():
        where = np.argwhere(codes == code)
        if len(where):
            shown = ", ".join(str(tuple(int(i) for i in w)) for w in where[:10])
            more = f" and {len(where) - 10} more" if len(where) > 10 else ""
            lines.append(f"{reason} for neuron(s) {shown}{more}")
    raise SimulationError(
        f"adaptive RKF45 integration of {name} failed (numerical instability): "
        + "; ".join(lines)
        + ". Check parameters and inputs; stiff or exploding dynamics need a smaller "
        "dt, a looser tolerance, or a smaller h_min / larger max_iters."
    )


def _check_control(
    eps_abs: float, eps_rel: float, a_y: float, a_dydt: float, max_iters: int
) -> None:
    for name, value in (
        ("eps_abs", eps_abs),
        ("eps_rel", eps_rel),
        ("a_y", a_y),
        ("a_dydt", a_dydt),
    ):
        if not value >= 0:
            raise ParameterError(f"{name} must be >= 0, got {value!r}")
    if not (eps_abs > 0 or (eps_rel > 0 and (a_y > 0 or a_dydt > 0))):
        raise ParameterError(
            f"the error tolerance must be positive: need eps_abs > 0 or eps_rel > 0 with "
            f"a_y or a_dydt > 0, got eps_abs={eps_abs}, eps_rel={eps_rel}, a_y={a_y}, "
            f"a_dydt={a_dydt}"
        )
    if int(max_iters) < 1:
        raise ParameterError(f"max_iters must be >= 1, got {max_iters!r}")


class _Control:
    """GSL's standard step-size control, per neuron."""

    def __init__(self, eps_abs: float, eps_rel: float, a_y: float, a_dydt: float, h_min: Any):
        self.eps_abs, self.eps_rel = eps_abs, eps_rel
        self.a_y, self.a_dydt = a_y, a_dydt
        self.h_min = h_min

    def error_ratio(
        self,
        layout: StackedLayout,
        ys: list[Any],
        errors: list[Any],
        dydt: list[Any] | None,
        h: Any,
    ) -> Any:
        """``max_i |err_i| / D_i`` over each neuron's state components; NaN for a neuron
        whose new state, error or derivative is not finite (GSL would go on with it; we
        stop that neuron)."""
        ratios = []
        derivatives = [None] * len(ys) if dydt is None else dydt
        for y, error, h_block, dy in zip(ys, errors, layout.spread(h), derivatives, strict=True):
            scale = self.a_y * jnp.abs(y)
            finite = jnp.isfinite(y) & jnp.isfinite(error)
            if dy is not None:
                scale = scale + self.a_dydt * jnp.abs(h_block * dy)
                finite = finite & jnp.isfinite(dy)
            tolerance = self.eps_rel * scale + self.eps_abs
            # GSL's max skips NaN ratios; between finite numbers they come from a zero
            # error or a NaN tolerance (0 * inf). Tested on the operands, the quotient is
            # used once and XLA fuses it into the maximum instead of storing it.
            skip = (error == 0) | jnp.isnan(tolerance)
            r = jnp.where(skip, 0.0, jnp.abs(error) / jnp.abs(tolerance))
            ratios.append(jnp.where(finite, r, jnp.nan))
        ratio = layout.max_per_neuron(ratios)
        return jnp.maximum(ratio, jnp.finfo(ratio.dtype).tiny)

    def adjust(self, ratio: Any, h: Any) -> tuple[Any, Any]:
        """The proposed next ``h`` and whether the step is rejected."""
        order = RKF45.order
        rejected = ratio > REJECT_ABOVE
        # One root per neuron: r^(1/q) to shrink, r^(1/(q+1)) to grow. The barrier keeps
        # XLA from rewriting S / r**e as S * r**(-e), which rounds differently from GSL.
        root = jax.lax.optimization_barrier(
            ratio ** jnp.where(rejected, 1.0 / order, 1.0 / (order + 1.0))
        )
        shrink = jnp.maximum(SAFETY / root, MAX_DECREASE)
        grow = jnp.clip(SAFETY / root, 1.0, MAX_INCREASE)
        factor = jnp.where(rejected, shrink, jnp.where(ratio < GROW_BELOW, grow, 1.0))
        return factor * h, rejected


def _rkf45_trial(
    field: Callable[[list[Any], Any], list[Any]],
    layout: StackedLayout,
    ys: list[Any],
    t: Any,
    h: Any,
) -> tuple[list[Any], list[Any]]:
    """One RKF45 step of size ``h`` (per neuron): the fifth-order state and the error.

    ``ys``, the stages and the results are :class:`StackedLayout` blocks. Sums are formed as
    GSL forms them (``y + h * sum_j a_ij k_j``, the first stage ``y + (a h) k``), so
    float64 results agree with it to the last bits.
    """
    hs = layout.spread(h)
    stages: list[list[Any]] = []
    for row, c in zip(RKF45.a, RKF45.c, strict=True):
        if not row:
            y_stage = ys
        elif len(row) == 1:
            a_hs = layout.spread(row[0] * h)
            y_stage = [y + a_h * k for y, a_h, k in zip(ys, a_hs, stages[0], strict=True)]
        else:
            sums = _combine(row, stages)
            y_stage = [y + h_b * sum_ for y, h_b, sum_ in zip(ys, hs, sums, strict=True)]
        stages.append(field(y_stage, t + c * h))
    sums = _combine(RKF45.b, stages)
    y_new = [y + h_b * sum_ for y, h_b, sum_ in zip(ys, hs, sums, strict=True)]
    error = [h_b * sum_ for h_b, sum_ in zip(hs, _combine(RKF45_ERROR, stages), strict=True)]
    return y_new, error


def _combine(weights: tuple[float, ...], stages: list[list[Any]]) -> list[Any]:
    """``sum_j w_j k_j`` for each block, in order, skipping zero weights."""
    terms = [[w * block for block in k] for w, k in zip(weights, stages, strict=False) if w]
    return [functools.reduce(operator.add, blocks) for blocks in zip(*terms, strict=True)]


def _call_with_aux(f: Callable[..., Any], aux: Any, y: Any, t: Any, *args: Any) -> Any:
    return f(y, t, *args, aux=aux)


def _apply_event(
    event: Callable[[Any, Any], tuple[Any, Any]], system: MagnitudeSystem, ys: list[Any], aux: Any
) -> tuple[list[Any], Any]:
    y_event, aux_event = event(system.unflatten(ys), aux)
    leaves, tree = jax.tree_util.tree_flatten(y_event, is_leaf=u.is_quantity)
    if tree != system.tree:
        raise ParameterError(f"event returned the state as {tree}, expected {system.tree}")
    return [
        jnp.asarray(u.to_float(leaf, unit), y.dtype)
        for leaf, unit, y in zip(leaves, system.units, ys, strict=True)
    ], aux_event


def _expand(per_neuron: Any, like: Any) -> Any:
    """A per-neuron array with trailing axes added to broadcast against ``like``."""
    extra = jnp.ndim(like) - jnp.ndim(per_neuron)
    return jnp.reshape(per_neuron, jnp.shape(per_neuron) + (1,) * extra)


def _select_tree(mask: Any, new: Any, old: Any) -> Any:
    def pick(n: Any, o: Any) -> Any:
        if u.is_quantity(o):
            unit = u.get_unit(o)
            o_value = u.to_float(o, unit)
            value = jnp.where(_expand(mask, o_value), u.to_float(n, unit), o_value)
            return u.with_unit(value.astype(jnp.asarray(u.magnitude(o)).dtype), unit)
        return jnp.where(_expand(mask, o), jnp.asarray(n), o).astype(jnp.asarray(o).dtype)

    return jax.tree_util.tree_map(pick, new, old, is_leaf=u.is_quantity)
