"""The one connectivity structure: a list of synapses, each with pre, post, weight, delay.

Every connection rule builds a :class:`Connections`; delivery operators read its
rows (synapses sorted by presynaptic neuron, CSR), plasticity reads the same
synapses sorted by postsynaptic neuron. The data live on the host (NumPy) and
do not change after construction.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import units as u
from ..core import environ
from ..core._errors import ParameterError

#: Elements per chunk of the O(M) passes over synapses: temporaries stay a few tens of MB.
CHUNK = 1 << 22

_MAX_POPULATION = 2**31 - 1  # neuron indices are stored as int32
_COMPOSITE_LIMIT = 2**63  # composite sort keys must stay below this (int64)


class Connections:
    """Synapses from ``n_pre`` presynaptic onto ``n_post`` postsynaptic neurons.

    Synapse ``k`` connects ``pre[k] -> post[k]`` with weight ``weight[k]`` and delay
    ``delay[k]`` (or one shared weight / delay). Synapses are sorted by ``pre``
    (rows by presynaptic neuron, as spike delivery reads them), ties in the order
    the rule made them; ``indptr`` is the row pointer: the synapses of neuron ``i``
    are ``indptr[i]:indptr[i + 1]``. The same pair may occur several times
    (multapses). Arrays are NumPy, read-only, and taken over without a copy.

    Build one with a rule (:func:`neurodyn.connectivity.connect`) or from explicit
    arrays in any order with :meth:`from_arrays`; this constructor takes arrays
    already sorted by ``pre``.

    Parameters
    ----------
    pre, post : int arrays, shape (M,)
        Presynaptic and postsynaptic index of every synapse; ``pre`` ascending.
    n_pre, n_post : int
        Population sizes (indices lie in ``[0, n_pre)`` and ``[0, n_post)``).
    weight : scalar or array of shape (M,), may carry units
        One weight for all synapses, or one per synapse. Default ``1.0`` (unitless).
    delay : time quantity, scalar or shape (M,), or None
        Transmission delay(s), > 0. ``None`` (default) means one simulation step.

    Attributes
    ----------
    n_connections : int
        ``M``, the number of synapses.
    indptr : int32 array, shape (n_pre + 1,)
        CSR row pointer over ``pre`` (int64 when ``M >= 2**31``).
    post_order, post_indptr : int arrays
        The post-sorted view (computed on first use, then kept): ``post[post_order]``
        is ascending, ties in synapse order; synapses onto neuron ``j`` are
        ``post_order[post_indptr[j]:post_indptr[j + 1]]``.

    Examples
    --------
    >>> import numpy as np
    >>> from neurodyn import units as u
    >>> from neurodyn.connectivity import Connections
    >>> c = Connections.from_arrays([2, 0, 2], [1, 1, 0], n_pre=3, n_post=2,
    ...                             weight=np.array([1.0, 2.0, 3.0]) * u.nS, delay=1.5 * u.ms)
    >>> c.pre, c.post, c.indptr
    (array([0, 2, 2], dtype=int32), array([1, 1, 0], dtype=int32), array([0, 1, 1, 3], dtype=int32))
    >>> c.weight
    Quantity([2. 1. 3.], "nS")
    >>> c.in_degrees(), c.post_order
    (array([1, 2]), array([2, 0, 1], dtype=int32))
    >>> c.delay_steps(0.1 * u.ms)  # NEST's rounding: floor(1.5 / 0.1 + 0.5) steps
    array(15, dtype=int32)
    """

    def __init__(
        self,
        pre: Any,
        post: Any,
        n_pre: int,
        n_post: int,
        weight: Any = 1.0,
        delay: Any = None,
    ):
        self._n_pre = _population_size("n_pre", n_pre)
        self._n_post = _population_size("n_post", n_post)
        pre = _index_array("pre", pre, self._n_pre)
        post = _index_array("post", post, self._n_post)
        if pre.shape != post.shape:
            raise ParameterError(
                f"pre and post must have one entry per synapse, got {pre.shape[0]} and "
                f"{post.shape[0]} entries"
            )
        if not _ascending(pre):
            raise ParameterError(
                "pre must be sorted ascending (synapses in rows by presynaptic neuron); "
                "give arrays in any order to Connections.from_arrays, which sorts them"
            )
        self._pre = _read_only(pre)
        self._post = _read_only(post)
        index_dtype = np.int32 if pre.size < 2**31 else np.int64
        # bounds in pre's dtype: a wider one would make searchsorted copy pre
        bounds = np.arange(
            self._n_pre + 1, dtype=np.int64 if self._n_pre >= 2**31 - 1 else pre.dtype
        )
        self._indptr = _read_only(np.searchsorted(pre, bounds).astype(index_dtype))
        self._weight = _per_connection("weight", weight, pre.size)
        self._delay = None if delay is None else _per_connection("delay", delay, pre.size, u.ms)
        self._by_post: tuple[np.ndarray, np.ndarray] | None = None

    @classmethod
    def from_arrays(
        cls,
        pre: Any,
        post: Any,
        n_pre: int,
        n_post: int,
        weight: Any = 1.0,
        delay: Any = None,
    ) -> Connections:
        """Connections from explicit arrays in any order.

        The index ranges are checked; synapses are sorted by ``pre`` with a stable
        sort (ties keep their given order), and per-synapse weights and delays are
        permuted along.
        """
        n_pre = _population_size("n_pre", n_pre)
        pre = _index_array("pre", pre, n_pre)
        post = _index_array("post", post, _population_size("n_post", n_post))
        if pre.shape != post.shape:
            raise ParameterError(
                f"pre and post must have one entry per synapse, got {pre.shape[0]} and "
                f"{post.shape[0]} entries"
            )
        weight = _per_connection("weight", weight, pre.size)
        delay = None if delay is None else _per_connection("delay", delay, pre.size, u.ms)
        if not _ascending(pre):
            order, _ = stable_sort_by(pre, n_pre)
            pre, post = pre[order], post[order]
            weight, delay = _permuted(weight, order), _permuted(delay, order)
        return cls(pre, post, n_pre, n_post, weight, delay)

    # -- the data -------------------------------------------------------------------

    @property
    def n_pre(self) -> int:
        return self._n_pre

    @property
    def n_post(self) -> int:
        return self._n_post

    @property
    def n_connections(self) -> int:
        return int(self._pre.size)

    def __len__(self) -> int:
        return self.n_connections

    @property
    def pre(self) -> np.ndarray:
        return self._pre

    @property
    def post(self) -> np.ndarray:
        return self._post

    @property
    def indptr(self) -> np.ndarray:
        return self._indptr

    @property
    def weight(self) -> Any:
        """The weight: a scalar (homogeneous) or one per synapse; a quantity if it has units."""
        return self._weight

    @property
    def delay(self) -> Any:
        """The delay (a time quantity, scalar or per synapse), or None: one step."""
        return self._delay

    # -- the post-sorted view (plasticity) ------------------------------------------

    @property
    def post_order(self) -> np.ndarray:
        return self._post_view()[0]

    @property
    def post_indptr(self) -> np.ndarray:
        return self._post_view()[1]

    def _post_view(self) -> tuple[np.ndarray, np.ndarray]:
        if self._by_post is None:
            order, indptr = stable_sort_by(self._post, self._n_post)
            self._by_post = (_read_only(order), _read_only(indptr))
        return self._by_post

    # -- derived quantities ------------------------------------------------------------

    def out_degrees(self) -> np.ndarray:
        """Number of synapses leaving each presynaptic neuron, shape (n_pre,)."""
        return np.diff(self._indptr).astype(np.int64)

    def in_degrees(self) -> np.ndarray:
        """Number of synapses reaching each postsynaptic neuron, shape (n_post,)."""
        if self._by_post is not None:
            return np.diff(self._by_post[1]).astype(np.int64)
        counts = np.zeros(self._n_post, np.int64)
        for start in range(0, self._post.size, CHUNK):  # chunks: bincount copies to int64
            counts += np.bincount(self._post[start : start + CHUNK], minlength=self._n_post)
        return counts

    def to_dense(self) -> Any:
        """The weight matrix ``(n_pre, n_post)``, multapses summed (small sizes: tests)."""
        magnitude = np.asarray(u.magnitude(self._weight))
        dtype = magnitude.dtype if magnitude.dtype.kind == "f" else np.float64
        flat = self._pre.astype(np.int64) * self._n_post + self._post
        weights = np.broadcast_to(magnitude, flat.shape).astype(np.float64)
        dense = np.bincount(flat, weights=weights, minlength=self._n_pre * self._n_post)
        dense = dense.astype(dtype).reshape(self._n_pre, self._n_post)
        return u.with_unit(dense, u.get_unit(self._weight))

    def delay_steps(self, dt: Any = None) -> np.ndarray:
        """The delays as whole simulation steps (int32, scalar or per synapse).

        Rounded to the nearest step as NEST does (``Time::delay_ms_to_steps``:
        ``floor(delay / dt + 0.5)``, computed in milliseconds in float64 as
        ``delay * (1 / dt)``), so halves round up: with ``dt = 0.1 ms``, 0.15 ms is
        2 steps and 1.27 ms is 13. float32 values are read as the 6-digit decimal
        they hold (float32's precision), so ``0.35`` stored in float32 rounds like
        0.35. ``None`` (no delay given) is one step.

        Parameters
        ----------
        dt : time quantity, optional
            The simulation step; default: the context's ``dt``.

        Raises
        ------
        ParameterError
            If a delay rounds to less than one step (it is shorter than ``dt``), or
            ``dt`` is not a time > 0.
        """
        if self._delay is None:
            delay_steps(1.0 * u.ms, environ.get_dt() if dt is None else dt)  # checks dt
            return np.asarray(1, np.int32)
        return delay_steps(self._delay, dt)

    def __repr__(self) -> str:
        return (
            f"Connections(n_pre={self._n_pre}, n_post={self._n_post}, "
            f"n_connections={self.n_connections}, weight={_summary(self._weight)}, "
            f"delay={'one step' if self._delay is None else _summary(self._delay)})"
        )


# -- sorting ---------------------------------------------------------------------------


def stable_sort_by(keys: np.ndarray, n_keys: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutation sorting ``keys`` (ints in ``[0, n_keys)``) ascending, ties in
    index order, and the row pointer (``n_keys + 1``) of the sorted keys.

    Sorts the distinct composite keys ``key * M + index`` with NumPy's (vectorised,
    unstable) sort, which is several times faster than a stable argsort; falls back
    to ``argsort(kind="stable")`` when the composite would overflow int64.
    """
    size = int(keys.size)
    index_dtype = np.int32 if size < 2**31 else np.int64
    if size == 0:
        return np.zeros(0, index_dtype), np.zeros(n_keys + 1, index_dtype)
    if n_keys * size >= _COMPOSITE_LIMIT:
        order = np.argsort(keys, kind="stable").astype(index_dtype)
        counts = np.bincount(keys, minlength=n_keys)
        return order, np.concatenate([[0], np.cumsum(counts)]).astype(index_dtype)
    composite = np.empty(size, np.int64)
    for start in range(0, size, CHUNK):
        stop = min(start + CHUNK, size)
        part = composite[start:stop]
        part[:] = keys[start:stop]
        part *= size
        part += np.arange(start, stop, dtype=np.int64)
    composite.sort()
    indptr = np.searchsorted(composite, np.arange(n_keys + 1, dtype=np.int64) * size)
    order = np.empty(size, index_dtype)
    for start in range(0, size, CHUNK):
        order[start : start + CHUNK] = composite[start : start + CHUNK] % size
    return order, indptr.astype(index_dtype)


# -- validation ------------------------------------------------------------------------


def milliseconds(magnitude: Any, unit: u.Unit) -> np.ndarray:
    """A time magnitude in ``unit`` as float64 milliseconds.

    float32 (and float16) values are first snapped to the 6-significant-digit
    decimal they represent (float32 holds 6 reliable digits), so a delay typed as
    0.35 and stored in float32 (0.3499999940...) is read as 0.35.
    """
    values = np.asarray(magnitude)
    if values.dtype.kind == "f" and values.dtype.itemsize < 8:
        values = _six_digits(values.astype(np.float64))
    else:
        values = values.astype(np.float64)
    factor = u.to_float(u.with_unit(1.0, unit), u.ms)
    return values if factor == 1.0 else values * factor


def _six_digits(values: np.ndarray) -> np.ndarray:
    """``values`` rounded to 6 significant decimal digits (zeros and non-finite kept)."""
    safe = np.where(np.isfinite(values) & (values != 0), np.abs(values), 1.0)
    digits = 5 - np.floor(np.log10(safe))
    up = 10.0 ** np.clip(digits, 0, None)  # exact powers of ten: divisions round once
    down = 10.0 ** np.clip(-digits, 0, None)
    snapped = np.round(values * up / down) / up * down
    return np.where(np.isfinite(values), snapped, values)


def _population_size(name: str, n: Any) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 0 < n <= _MAX_POPULATION:
        raise ParameterError(
            f"{name} must be a whole number in [1, {_MAX_POPULATION}] (a population size), "
            f"got {n!r}"
        )
    return int(n)


def _index_array(name: str, values: Any, n: int) -> np.ndarray:
    """``values`` as a 1-D int32 array of indices in ``[0, n)``."""
    array = np.asarray(values)
    if array.size == 0:
        return np.zeros(0, np.int32)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ParameterError(
            f"{name} must be a 1-D array of whole-number neuron indices, got "
            f"{array.dtype} of shape {array.shape}"
        )
    low, high = int(array.min()), int(array.max())
    if low < 0 or high >= n:
        bad = low if low < 0 else high
        raise ParameterError(
            f"{name} holds index {bad}, outside [0, {n}) (the population has n_{name} = {n})"
        )
    return array.astype(np.int32, copy=False)


def _per_connection(name: str, value: Any, size: int, unit: u.Unit | None = None) -> Any:
    """A weight or delay: a scalar or one value per synapse, numeric and finite
    (a delay: a time quantity > 0). Returned read-only, with its unit."""
    if callable(value):
        raise ParameterError(
            f"{name} must be a value or an array, got {value!r} (sample distributions with "
            f"connect() or a rule function)"
        )
    value_unit = u.get_unit(value)
    if unit is not None and not (u.has_unit(value) and u.same_dimension(value, unit)):
        raise ParameterError(
            f"{name} must be a {u.dimension_name(unit)} quantity (e.g. 1.5 * u.{unit}), "
            f"got {u.describe(value)}"
        )
    magnitude = np.asarray(u.magnitude(value))
    if magnitude.dtype.kind not in "fiu":
        raise ParameterError(f"{name} must be numeric, got {magnitude.dtype} values")
    if magnitude.dtype.kind != "f":
        magnitude = magnitude.astype(np.float64)
    if magnitude.shape not in ((), (size,)):
        raise ParameterError(
            f"{name} has shape {magnitude.shape}; give a single value or one per synapse, "
            f"shape ({size},)"
        )
    for start in range(0, max(magnitude.size, 1), CHUNK):
        part = magnitude.reshape(-1)[start : start + CHUNK]
        if not np.isfinite(part).all():
            raise ParameterError(f"{name} must be finite (no NaN or inf), got {_summary(value)}")
        if unit is not None and (part <= 0).any():
            bad = float(part[part <= 0][0])
            raise ParameterError(f"{name} must be > 0 {value_unit}, got {bad:g} {value_unit}")
    return u.with_unit(_read_only(magnitude), value_unit)


def _ascending(values: np.ndarray) -> bool:
    """Whether ``values`` never decrease (checked in chunks: small temporaries)."""
    for start in range(0, values.size - 1, CHUNK):
        part = values[start : start + CHUNK + 1]
        if np.any(part[1:] < part[:-1]):
            return False
    return True


def _permuted(value: Any, order: np.ndarray) -> Any:
    if value is None or np.ndim(u.magnitude(value)) == 0:
        return value
    return u.with_unit(np.asarray(u.magnitude(value))[order], u.get_unit(value))


def _read_only(array: np.ndarray) -> np.ndarray:
    view = array.view()
    view.flags.writeable = False
    return view


def _summary(value: Any) -> str:
    magnitude = np.asarray(u.magnitude(value))
    if magnitude.ndim == 0:
        return u.describe(value)
    unit = u.get_unit(value)
    return f"per synapse ({magnitude.size},)" + ("" if unit.is_unitless else f" {unit}")


def delay_steps(delay: Any, dt: Any = None) -> np.ndarray:
    """Delays (a time quantity, scalar or array) as whole steps of ``dt`` (default: the
    context's), int32, rounded as NEST does: ``floor(delay / dt + 0.5)``, computed in
    milliseconds in float64 as ``delay * (1 / dt)``; see :meth:`Connections.delay_steps`.

    Raises :class:`ParameterError` if ``delay`` is not a time or rounds to less than one
    step, or ``dt`` is not a time > 0.
    """
    dt = environ.get_dt() if dt is None else dt
    if not (u.has_unit(dt) and u.same_dimension(dt, u.ms)) or np.ndim(u.magnitude(dt)):
        raise ParameterError(
            f"dt must be a single time quantity (e.g. 0.1 * u.ms), got {u.describe(dt)}"
        )
    if not (u.has_unit(delay) and u.same_dimension(delay, u.ms)):
        raise ParameterError(
            f"delay must be a time quantity (e.g. 1.5 * u.ms), got {u.describe(delay)}"
        )
    dt_ms = float(milliseconds(u.magnitude(dt), u.get_unit(dt)))
    if not np.isfinite(dt_ms) or dt_ms <= 0:
        raise ParameterError(f"dt must be a finite time > 0 ms, got {u.describe(dt)}")
    steps_per_ms = 1.0 / dt_ms
    magnitude, unit = np.asarray(u.magnitude(delay)), u.get_unit(delay)
    if not np.isfinite(magnitude).all():
        raise ParameterError(f"delay must be finite, got {u.describe(delay)}")
    steps = np.empty(magnitude.shape, np.int32)
    flat_in, flat_out = magnitude.reshape(-1), steps.reshape(-1)
    for start in range(0, flat_in.size, CHUNK):
        part = milliseconds(flat_in[start : start + CHUNK], unit)
        flat_out[start : start + CHUNK] = np.floor(part * steps_per_ms + 0.5)
    if flat_out.size and flat_out.min() < 1:
        shortest = int(np.argmin(flat_out))
        shortest_ms = float(milliseconds(flat_in[shortest], unit))
        raise ParameterError(
            f"delay {shortest_ms:g} ms is shorter than dt = {dt_ms:g} ms: it rounds to "
            f"{int(flat_out[shortest])} steps (floor(delay / dt + 0.5), as NEST), and a "
            f"delay must last at least one step"
        )
    return steps
