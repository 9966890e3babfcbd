"""Random weights and delays: distributions with units, sampled on the host.

A distribution is declared with its parameters (checked at once) and sampled
with an explicit NumPy generator: ``dist.sample(rng, n)`` gives ``n`` values in
the distribution's unit. The names and meanings follow NEST's random parameters.

>>> import numpy as np
>>> from neurodyn import units as u
>>> from neurodyn.connectivity import ClippedNormal
>>> w = ClippedNormal(0.5 * u.nS, 0.2 * u.nS, low=0.0 * u.nS).sample(np.random.default_rng(0), 4)
>>> w.shape, bool((w.to_decimal(u.nS) >= 0).all())
((4,), True)
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import units as u
from ..core._errors import ParameterError
from ..core._params import parameter, require_less

#: ClippedNormal refuses bounds holding less of the normal's mass than this (too many redraws).
MIN_ACCEPTANCE = 1e-6


class Distribution:
    """Base class: ``sample(rng, n, dtype) -> n values`` in ``self.unit``."""

    unit: u.Unit = u.UNITLESS

    def sample(self, rng: np.random.Generator, n: int, dtype: Any = np.float64) -> Any:
        """``n`` independent samples, shape ``(n,)``, a quantity in ``self.unit``
        (a plain array when unitless); ``dtype`` float32 or float64."""
        dtype = np.dtype(dtype)
        if dtype not in (np.float32, np.float64):
            raise ParameterError(f"dtype must be float32 or float64, got {dtype}")
        if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
            raise ParameterError(f"n must be a whole number >= 0, got {n!r}")
        return u.with_unit(self._draw(rng, int(n), dtype), self.unit)

    def _draw(self, rng: np.random.Generator, n: int, dtype: np.dtype) -> np.ndarray:
        raise NotImplementedError


class Normal(Distribution):
    """Normal distribution with mean ``mean`` and standard deviation ``std`` (NEST's
    ``normal``).

    Parameters
    ----------
    mean : scalar, may carry units
        The mean; its unit is the samples' unit.
    std : scalar, same dimension as ``mean``
        The standard deviation, >= 0.

    Examples
    --------
    >>> import numpy as np
    >>> from neurodyn import units as u
    >>> Normal(1.0 * u.ms, 0.0 * u.ms).sample(np.random.default_rng(0), 2)
    Quantity([1. 1.], "ms")
    """

    def __init__(self, mean: Any, std: Any):
        self.mean, self.std, self.unit = _location_scale("Normal", mean, std)

    def _draw(self, rng: np.random.Generator, n: int, dtype: np.dtype) -> np.ndarray:
        values = rng.standard_normal(n, dtype=dtype)
        values *= dtype.type(self.std)
        values += dtype.type(self.mean)
        return values

    def __repr__(self) -> str:
        return f"Normal(mean={_show(self.mean, self.unit)}, std={_show(self.std, self.unit)})"


class Uniform(Distribution):
    """Uniform distribution on ``[low, high)`` (NEST's ``uniform``).

    Parameters
    ----------
    low, high : scalars of one dimension, may carry units
        The bounds, ``low < high``.

    Examples
    --------
    >>> import numpy as np
    >>> from neurodyn import units as u
    >>> d = Uniform(1.0 * u.ms, 2.0 * u.ms).sample(np.random.default_rng(0), 1000)
    >>> bool((d >= 1.0 * u.ms).all() and (d < 2.0 * u.ms).all())
    True
    """

    def __init__(self, low: Any, high: Any):
        unit = u.get_unit(low)
        self.low = _scalar("Uniform.low", low, unit)
        self.high = _scalar("Uniform.high", high, unit)
        require_less("low", low, "high", high, "Uniform")
        self.unit = unit

    def _draw(self, rng: np.random.Generator, n: int, dtype: np.dtype) -> np.ndarray:
        values = rng.random(n, dtype=dtype)
        values *= dtype.type(self.high - self.low)
        values += dtype.type(self.low)
        # low + (high - low) * x may round up to high in low precision: keep [low, high)
        np.minimum(values, np.nextafter(dtype.type(self.high), dtype.type(self.low)), out=values)
        return values

    def __repr__(self) -> str:
        return f"Uniform(low={_show(self.low, self.unit)}, high={_show(self.high, self.unit)})"


class Lognormal(Distribution):
    """Log-normal distribution: ``exp(mu + sigma * Z) * unit``, ``Z`` standard normal.

    As NEST's ``lognormal`` (``nest.random.lognormal(mean, std)``, C++'s
    ``std::lognormal_distribution``), ``mu`` and ``sigma`` are the mean and standard
    deviation of the underlying normal (of ``log(x / unit)``), not of the samples:
    those have median ``exp(mu)`` and mean ``exp(mu + sigma**2 / 2)``. The
    dimensionless value is multiplied by ``unit`` to give the sample.

    Parameters
    ----------
    mu : float
        Mean of the underlying normal (dimensionless).
    sigma : float
        Standard deviation of the underlying normal, >= 0 (dimensionless).
    unit : unit, default unitless
        The unit of the samples (e.g. ``u.nS``).

    Examples
    --------
    >>> import numpy as np
    >>> from neurodyn import units as u
    >>> Lognormal(0.0, 0.0, unit=u.nS).sample(np.random.default_rng(0), 2)
    Quantity([1. 1.], "nS")
    """

    def __init__(self, mu: float, sigma: float, unit: u.Unit = u.UNITLESS):
        self.mu = _scalar("Lognormal.mu", mu, u.UNITLESS)
        self.sigma = _scalar("Lognormal.sigma", sigma, u.UNITLESS, nonnegative=True)
        if not isinstance(unit, u.Unit):
            raise ParameterError(f"Lognormal.unit must be a unit (e.g. u.nS), got {unit!r}")
        self.unit = unit

    def _draw(self, rng: np.random.Generator, n: int, dtype: np.dtype) -> np.ndarray:
        values = rng.standard_normal(n, dtype=dtype)
        values *= dtype.type(self.sigma)
        values += dtype.type(self.mu)
        return np.exp(values, out=values)

    def __repr__(self) -> str:
        return f"Lognormal(mu={self.mu:g}, sigma={self.sigma:g}, unit={self.unit})"


class ClippedNormal(Distribution):
    """Normal distribution restricted to ``[low, high]`` by redrawing values outside
    (NEST's ``normal_clipped``; ``nest.math.redraw(nest.random.normal(...), min, max)``).

    The samples follow the normal density truncated to the bounds (not clipped onto
    them): values are drawn in vectorised rounds and those outside are discarded.

    Parameters
    ----------
    mean, std : scalars of one dimension, may carry units
        Mean and standard deviation (>= 0) of the normal before truncation.
    low, high : scalars of that dimension, optional
        The bounds, ``low < high`` (default: unbounded on that side). The interval must
        hold at least a fraction :data:`MIN_ACCEPTANCE` of the normal's mass.

    Examples
    --------
    >>> import numpy as np
    >>> from neurodyn import units as u
    >>> d = ClippedNormal(1.0 * u.ms, 1.0 * u.ms, low=0.5 * u.ms, high=1.5 * u.ms)
    >>> x = d.sample(np.random.default_rng(0), 1000).to_decimal(u.ms)
    >>> bool(x.min() >= 0.5 and x.max() <= 1.5)
    True
    """

    def __init__(self, mean: Any, std: Any, low: Any = None, high: Any = None):
        self.mean, self.std, self.unit = _location_scale("ClippedNormal", mean, std)
        self.low = -math.inf if low is None else _scalar("ClippedNormal.low", low, self.unit)
        self.high = math.inf if high is None else _scalar("ClippedNormal.high", high, self.unit)
        if not self.low < self.high:
            raise ParameterError(
                f"ClippedNormal.low must be < high, got low={_show(self.low, self.unit)}, "
                f"high={_show(self.high, self.unit)}"
            )
        self.acceptance = self._mass_inside()
        if self.acceptance < MIN_ACCEPTANCE:
            raise ParameterError(
                f"ClippedNormal bounds [{_show(self.low, self.unit)}, "
                f"{_show(self.high, self.unit)}] hold a fraction {self.acceptance:.3g} of "
                f"Normal(mean={_show(self.mean, self.unit)}, std={_show(self.std, self.unit)}); "
                f"at least {MIN_ACCEPTANCE:g} is needed (fewer redraws)"
            )

    def _mass_inside(self) -> float:
        if self.std == 0:
            return float(self.low <= self.mean <= self.high)

        def cdf(x: float) -> float:
            return 0.5 * math.erfc(-(x - self.mean) / (self.std * math.sqrt(2)))

        return cdf(self.high) - cdf(self.low)

    def _draw(self, rng: np.random.Generator, n: int, dtype: np.dtype) -> np.ndarray:
        out = np.empty(n, dtype)
        low, high = dtype.type(self.low), dtype.type(self.high)
        filled = 0
        while filled < n:
            missing = n - filled
            # draw enough that one round usually fills every slot
            extra = 6 * math.sqrt(missing * (1 - self.acceptance)) + 16
            batch = rng.standard_normal(int(missing / self.acceptance + extra), dtype=dtype)
            batch *= dtype.type(self.std)
            batch += dtype.type(self.mean)
            kept = batch[(batch >= low) & (batch <= high)][:missing]
            out[filled : filled + kept.size] = kept
            filled += kept.size
        return out

    def __repr__(self) -> str:
        return (
            f"ClippedNormal(mean={_show(self.mean, self.unit)}, std={_show(self.std, self.unit)}, "
            f"low={_show(self.low, self.unit)}, high={_show(self.high, self.unit)})"
        )


def _location_scale(owner: str, mean: Any, std: Any) -> tuple[float, float, u.Unit]:
    unit = u.get_unit(mean)
    return (
        _scalar(f"{owner}.mean", mean, unit),
        _scalar(f"{owner}.std", std, unit, nonnegative=True),
        unit,
    )


def _scalar(name: str, value: Any, unit: Any, nonnegative: bool = False) -> float:
    """One finite number in ``unit`` (the dimension checked), as a float in that unit."""
    checked = parameter(name, value, unit, nonnegative=nonnegative)
    return float(np.asarray(checked if unit.is_unitless else u.to_float(checked, unit)))


def _show(value: float, unit: u.Unit) -> str:
    return f"{value:g}" if unit.is_unitless else f"{value:g} {unit}"
