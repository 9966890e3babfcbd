"""Vectorised samplers of neuron indices, the building blocks of the connection rules.

Each works in blocks of about :data:`CHUNK` values (a Python loop over blocks, never
over neurons), so temporaries stay small and the cost is O(number of connections)
up to sorting. All draw from an explicit ``numpy.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ._connections import CHUNK


def row_blocks(
    rng: np.random.Generator,
    n_rows: int,
    k: int,
    n_candidates: int,
    *,
    distinct: bool,
    exclude_own: bool,
    sort: bool = True,
) -> Iterator[tuple[int, np.ndarray]]:
    """``(first_row, block)`` pairs covering ``n_rows`` rows of ``k`` int32 values
    from ``range(n_candidates)``, each row sorted ascending (``sort=False`` leaves
    independent draws in draw order); with ``exclude_own`` row ``i`` never holds
    ``i`` (it draws from the other ``n_candidates - 1``).

    Without ``distinct`` the values are independent uniform draws (repeats
    possible). With ``distinct`` each row is a uniformly random ``k``-subset: draw
    with replacement, sort each row, redraw every repeat of a value (all copies
    after the first) from the whole range, and go again on the rows that still hold
    repeats. Every step treats all candidate values alike (it looks at equalities
    only), so the law of the final set is invariant under any permutation of the
    candidates: an exact uniform draw without replacement. When ``k`` exceeds half
    of the candidates the ``n - k`` values left out are drawn that way instead, so
    each round removes at least half of the remaining repeats.
    """
    if k == 0 or n_rows == 0:
        return
    pool = n_candidates - exclude_own
    dense = distinct and 2 * k > pool
    rows_per_block = max(1, CHUNK // (pool if dense else k))
    for first in range(0, n_rows, rows_per_block):
        n = min(rows_per_block, n_rows - first)
        if not distinct:
            block = rng.integers(0, pool, size=(n, k), dtype=np.int32)
            if sort:
                block.sort(axis=1)
        elif not dense:
            block = _distinct_sparse(rng, n, k, pool)
        else:
            left_out = _distinct_sparse(rng, n, pool - k, pool)
            keep = np.ones((n, pool), bool)
            keep[np.arange(n)[:, None], left_out] = False
            block = np.nonzero(keep)[1].astype(np.int32).reshape(n, k)
        if exclude_own:
            _skip_own(block, first)
        yield first, block


def _distinct_sparse(rng: np.random.Generator, n_rows: int, k: int, pool: int) -> np.ndarray:
    """Sorted uniform ``k``-subsets of ``range(pool)`` per row, for ``2 k <= pool``."""
    values = rng.integers(0, pool, size=(n_rows, k), dtype=np.int32)
    values.sort(axis=1)
    rows = np.arange(n_rows)
    while rows.size and k > 1:
        block = values[rows]
        repeats = block[:, 1:] == block[:, :-1]
        touched = repeats.any(axis=1)
        if not touched.any():
            break
        rows, block, repeats = rows[touched], block[touched], repeats[touched]
        block[:, 1:][repeats] = rng.integers(0, pool, size=int(repeats.sum()), dtype=np.int32)
        block.sort(axis=1)
        values[rows] = block
    return values


def _skip_own(block: np.ndarray, first_row: int) -> None:
    """Map draws from ``range(n - 1)`` to ``range(n)`` minus the row's own index
    (monotone within a row, so sorted rows stay sorted)."""
    own = np.arange(first_row, first_row + block.shape[0], dtype=np.int32)[:, None]
    block += block >= own


def bernoulli_positions(rng: np.random.Generator, total: int, p: float) -> Iterator[np.ndarray]:
    """Ascending int64 positions in ``range(total)``, each included independently
    with probability ``p``, in blocks; O(number drawn).

    The gaps between successive included positions are independent geometric
    variables (trials up to and including the next success), so the positions are
    cumulative sums of geometric draws.
    """
    if p == 0.0 or total == 0:
        return
    if p == 1.0:
        for start in range(0, total, CHUNK):
            yield np.arange(start, min(start + CHUNK, total), dtype=np.int64)
        return
    position = np.int64(-1)
    while True:
        expected = (total - 1 - position) * p  # still to come, on average
        n = int(min(CHUNK, expected + 6 * np.sqrt(expected) + 64))
        positions = position + np.cumsum(rng.geometric(p, size=n))
        if positions[-1] >= total:
            yield positions[: np.searchsorted(positions, total)]
            return
        yield positions
        position = positions[-1]


def distinct_flat(rng: np.random.Generator, total: int, n: int) -> np.ndarray:
    """A uniformly random ``n``-subset of ``range(total)``, ascending int64.

    Same method as :func:`row_blocks` with ``distinct``: draw with replacement,
    keep the distinct values, and draw as many again as are missing, keeping those
    not yet held, until ``n`` are held (exact: only equalities are looked at). For
    ``n > total / 2`` the ``total - n`` values left out are drawn instead.
    """
    if 2 * n > total:
        keep = np.ones(total, bool)
        keep[distinct_flat(rng, total, total - n)] = False
        return np.flatnonzero(keep).astype(np.int64)
    held = _distinct_sorted(rng.integers(0, total, size=n, dtype=np.int64))
    extra = np.zeros(0, np.int64)  # values added after the first draw (few), sorted
    while held.size + extra.size < n:
        fresh = _distinct_sorted(rng.integers(0, total, n - held.size - extra.size, np.int64))
        fresh = fresh[~_contains(held, fresh) & ~_contains(extra, fresh)]
        extra = np.sort(np.concatenate([extra, fresh]))
    return np.insert(held, np.searchsorted(held, extra), extra) if extra.size else held


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending (sorts ``values`` in place; faster than np.unique)."""
    values.sort()
    if values.size < 2:
        return values
    first = np.empty(values.size, bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def _contains(sorted_values: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Whether each query occurs in ``sorted_values``."""
    if sorted_values.size == 0:
        return np.zeros(queries.shape, bool)
    places = np.minimum(np.searchsorted(sorted_values, queries), sorted_values.size - 1)
    return sorted_values[places] == queries


def split_flat(
    flat: np.ndarray, n_post: int, exclude_diagonal: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) int32 of row-major pair positions ``flat`` (int64) of an
    ``n_pre x n_post`` matrix, or, with ``exclude_diagonal``, of its ``n x (n - 1)``
    off-diagonal entries (row ``i`` skips column ``i``). Order is kept."""
    width = n_post - exclude_diagonal
    pre = np.empty(flat.size, np.int32)
    post = np.empty(flat.size, np.int32)
    for start in range(0, flat.size, CHUNK):
        part = flat[start : start + CHUNK]
        rows = part // width
        cols = part - rows * width
        if exclude_diagonal:
            cols += cols >= rows
        pre[start : start + CHUNK] = rows
        post[start : start + CHUNK] = cols
    return pre, post


def transpose_rows(
    blocks: Iterator[tuple[int, np.ndarray]], n_post: int, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """(pre, post) int32 sorted by (pre, post), from ``blocks`` of rows (as
    :func:`row_blocks` yields them) holding the ``k`` presynaptic neurons of each of
    ``n_post`` targets.

    The rows are written straight into int64 keys ``pre << 32 | post`` and sorted
    once; equal keys are the same pair, so their order is immaterial. Peak memory:
    the keys plus ``post`` (12 bytes per synapse; ``pre`` reuses the keys' buffer).
    """
    keys = np.empty(n_post * k, np.int64)
    for first, block in blocks:
        part = keys[first * k : first * k + block.size].reshape(block.shape)
        part[:] = block
        part <<= 32
        part |= np.arange(first, first + block.shape[0], dtype=np.int64)[:, None]
    keys.sort()
    size = keys.size
    post = np.empty(size, np.int32)
    for start in range(0, size, CHUNK):
        post[start : start + CHUNK] = keys[start : start + CHUNK] & 0xFFFFFFFF
    # pre is written into the first half of the keys' own buffer, chunk by chunk: chunk
    # [a, b) of pre overwrites keys [a/2, b/2), already read (b <= 2a after the first
    # chunk, which is read whole before it is written). Then the buffer is shrunk to
    # that half, so no third array is ever allocated.
    pre_in_place = keys.view(np.int32)
    for start in range(0, size, CHUNK):
        stop = min(start + CHUNK, size)
        pre_in_place[start:stop] = keys[start:stop] >> 32
    del pre_in_place
    keys.resize((size + 1) // 2, refcheck=False)
    return keys.view(np.int32)[:size], post
