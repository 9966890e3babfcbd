"""Piecewise-constant currents: sections of given durations, steps at given times."""

from __future__ import annotations

from typing import Any

import jax.numpy as jnp
import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError
from ..core._module import Module
from ..core._params import ANY_UNIT, Param
from . import _steps as steps


class SectionInput(Module):
    r"""A piecewise-constant input: ``values[k]`` for ``durations[k]``, one after another.

    With the section ends :math:`T_k = \sum_{j \le k} d_j` rounded to the nearest step
    boundary, :math:`n_k = \mathrm{round}(T_k / dt)`, step ``i`` (time ``i dt`` at its
    start) receives

    .. math::

        I_i = v_k \quad \text{for } n_{k-1} \le i < n_k \quad (n_{-1} = 0),
        \qquad I_i = 0 \quad \text{for } i \ge n_{K-1}.

    The ends are rounded once from the cumulative sums, so rounding does not drift; a
    section shorter than half a step may get no step at all.

    =============  =======  ==========  ============================================
    parameter      default  unit        meaning
    =============  =======  ==========  ============================================
    ``values``     --       any (user)  one value per section (first axis); each a
                                        scalar or an array (one value per neuron)
    ``durations``  --       time        the length of each section, ``> 0``
    =============  =======  ==========  ============================================

    **Returns** of :meth:`update`: the value of the current step, in the unit of
    ``values``.

    Follows ``brainpy.state.SectionInput`` (``section_input`` in BrainPy).

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> inp = nd.inputs.SectionInput([0., 1., 0.] * u.nA, [0.2, 0.3, 0.1] * u.ms)
    >>> _ = nd.init_all_states(inp)
    >>> nd.for_loop(inp.update, length=7, clock=inp)
    Quantity([0. 0. 1. 1. 1. 0. 0.], "nA")
    """

    values = Param(ANY_UNIT)
    durations = Param(u.ms, positive=True)

    def __init__(self, values: Any, durations: Any, name: str | None = None):
        super().__init__(name)
        self.set(values=values, durations=durations)

    def check_parameters(self) -> None:
        super().check_parameters()
        if "values" in self.__dict__ and "durations" in self.__dict__:
            owner = type(self).__name__
            steps.require_one_dimensional(owner, "durations", self.durations)
            steps.require_same_length(owner, "values", self.values, "durations", self.durations)

    def section_ends(self) -> np.ndarray:
        """The step index at which each section ends, :math:`n_k` (host int64)."""
        return np.rint(np.cumsum(steps.ms(self.durations)) / steps.dt_ms()).astype(np.int64)

    def update(self) -> Any:
        unit = u.get_unit(self.values)
        values = jnp.asarray(u.to_float(self.values, unit), environ.dftype())
        padded = jnp.concatenate([values, jnp.zeros_like(values[:1])])  # 0 after the end
        ends = jnp.asarray(self.section_ends())
        section = jnp.sum(ends <= steps.step_index())
        return u.with_unit(padded[section], unit)


class ConstantInput(SectionInput):
    r"""Constant values for given durations, as ``(value, duration)`` pairs.

    The same input as :class:`SectionInput` with ``values`` and ``durations`` given
    pairwise (``brainpy.state.ConstantInput``, ``constant_input`` in BrainPy); the
    values are converted to the unit of the first one. See :class:`SectionInput` for
    the equations and the step rounding.

    ===================  =======  ==============================================
    argument             default  meaning
    ===================  =======  ==============================================
    ``I_and_duration``   --       ``[(value, duration), ...]``; each value a
                                  scalar or an array, each duration a time > 0
    ===================  =======  ==============================================

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> inp = nd.inputs.ConstantInput([(2. * u.pA, 0.1 * u.ms), (-1. * u.pA, 0.2 * u.ms)])
    >>> _ = nd.init_all_states(inp)
    >>> nd.for_loop(inp.update, length=4, clock=inp)
    Quantity([ 2. -1. -1.  0.], "pA")
    """

    def __init__(self, I_and_duration: Any, name: str | None = None):  # noqa: N803 (BrainPy's name)
        try:
            pairs = [(value, duration) for value, duration in I_and_duration]
        except (TypeError, ValueError):
            raise ParameterError(
                f"ConstantInput.I_and_duration must be a list of (value, duration) pairs, "
                f"got {I_and_duration!r}"
            ) from None
        if not pairs:
            raise ParameterError("ConstantInput.I_and_duration must hold at least one pair")
        unit = u.get_unit(pairs[0][0])
        try:
            values = u.with_unit(
                np.stack([np.asarray(u.to_float(v, unit)) for v, _ in pairs]), unit
            )
        except Exception:  # noqa: BLE001 - any conversion failure is the same user error
            raise ParameterError(
                f"ConstantInput.values must all have the unit of the first one ({unit}), got "
                f"{[u.describe(v) for v, _ in pairs]}"
            ) from None
        durations = [d for _, d in pairs]
        if all(u.has_unit(d) and u.same_dimension(d, u.ms) for d in durations):
            durations = np.asarray([float(u.to_float(d, u.ms)) for d in durations]) * u.ms
        super().__init__(values, durations, name=name)


class StepInput(Module):
    r"""A value that steps to ``amplitudes[k]`` at ``step_times[k]`` and stays there.

    With :math:`n_k = \mathrm{round}(t_k / dt)` (the nearest step boundary), step ``i``
    receives

    .. math::

        I_i = a_k \quad \text{for the last } k \text{ with } n_k \le i,
        \qquad I_i = 0 \quad \text{for } i < n_0.

    =============== =======  ==========  ==========================================
    parameter       default  unit        meaning
    =============== =======  ==========  ==========================================
    ``amplitudes``  --       any (user)  the value from each time on (first axis);
                                         each a scalar or an array per neuron
    ``step_times``  --       time        when each value starts; sorted
    =============== =======  ==========  ==========================================

    **Returns** of :meth:`update`: the value of the current step.

    Follows ``brainpy.state.StepInput``.

    >>> import neurodyn as nd
    >>> from neurodyn import units as u
    >>> inp = nd.inputs.StepInput([1., 3.] * u.nA, [0.1, 0.3] * u.ms)
    >>> _ = nd.init_all_states(inp)
    >>> nd.for_loop(inp.update, length=5, clock=inp)
    Quantity([0. 1. 1. 3. 3.], "nA")
    """

    amplitudes = Param(ANY_UNIT)
    step_times = Param(u.ms)

    def __init__(self, amplitudes: Any, step_times: Any, name: str | None = None):
        super().__init__(name)
        self.set(amplitudes=amplitudes, step_times=step_times)

    def check_parameters(self) -> None:
        super().check_parameters()
        if "amplitudes" in self.__dict__ and "step_times" in self.__dict__:
            owner = type(self).__name__
            steps.require_one_dimensional(owner, "step_times", self.step_times)
            steps.require_same_length(
                owner, "amplitudes", self.amplitudes, "step_times", self.step_times
            )
            steps.require_sorted(owner, "step_times", self.step_times)

    def update(self) -> Any:
        unit = u.get_unit(self.amplitudes)
        amplitudes = jnp.asarray(u.to_float(self.amplitudes, unit), environ.dftype())
        padded = jnp.concatenate([jnp.zeros_like(amplitudes[:1]), amplitudes])  # 0 before
        starts = jnp.asarray(steps.nearest_steps(self.step_times))
        return u.with_unit(padded[jnp.sum(starts <= steps.step_index())], unit)
