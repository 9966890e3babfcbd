"""A population's state held as a few stacked arrays instead of one array per variable.

Adaptive integrators loop over substeps inside one compiled program; with one array
per state variable every stage sum, select and error norm becomes one small kernel
per variable. Stacking the variables cuts that to one kernel per stack.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.numpy as jnp


class StackedLayout:
    """How the state's leaves are held inside the loop: as a few arrays, not one each.

    Leaves with exactly the population's shape and the step's dtype (in most models, all
    of them) are stacked as the rows of arrays ``(rows, *shape)``: the stage sums, the
    error norm and the selects are one operation per stack rather than one per leaf,
    and the stacked stages are stored once instead of being recomputed inside every
    later stage (XLA fuses cheap expressions into each of their users). The vector field
    sees the rows as slices. A stack holds at most ``MAX_ROWS`` leaves: XLA:CPU fuses
    the stacking of up to 8 arrays into the kernel that computes them, but stacks more
    with a separate copy. Leaves with further per-neuron axes (e.g. NMDA ports) or
    another dtype are blocks of their own. The arithmetic per element is the same as
    leaf by leaf.
    """

    MAX_ROWS = 8

    def __init__(self, leaves: list[Any], shape: tuple, dtype: Any):
        self.n_leaves = len(leaves)
        rows = [i for i, v in enumerate(leaves) if v.shape == shape and v.dtype == dtype]
        n_stacks = -(-len(rows) // self.MAX_ROWS)  # ceiling division
        size = -(-len(rows) // n_stacks) if rows else 1  # stacks of near-equal size
        self.stacks = [rows[k : k + size] for k in range(0, len(rows), size)]
        self.apart = [i for i in range(len(leaves)) if i not in rows]
        # per block: the trailing per-neuron axes, and the axes of a neuron's components
        extra = [leaves[i].ndim - len(shape) for i in self.apart]
        self.extra_ndim = [0] * len(self.stacks) + extra
        self.component_axes = [(0,)] * len(self.stacks) + [
            tuple(range(len(shape), len(shape) + n)) for n in extra
        ]

    def pack(self, leaves: list[Any]) -> list[Any]:
        stacked = [jnp.stack([leaves[i] for i in rows]) for rows in self.stacks]
        return stacked + [leaves[i] for i in self.apart]

    def unpack(self, blocks: list[Any]) -> list[Any]:
        leaves: list[Any] = [None] * self.n_leaves
        for stack, rows in zip(blocks, self.stacks, strict=False):
            for row, index in enumerate(rows):
                leaves[index] = stack[row]
        for block, index in zip(blocks[len(self.stacks) :], self.apart, strict=True):
            leaves[index] = block
        return leaves

    def spread(self, per_neuron: Any) -> list[Any]:
        """A per-neuron array, shaped to broadcast against each block."""
        shape = jnp.shape(per_neuron)
        return [jnp.reshape(per_neuron, shape + (1,) * extra) for extra in self.extra_ndim]

    def max_per_neuron(self, blocks: list[Any]) -> Any:
        """The maximum of each neuron's components over all blocks; NaN if any is NaN."""
        maxima = [
            jax.lax.reduce(block, jnp.asarray(-jnp.inf, block.dtype), _max_or_nan, axes)
            for block, axes in zip(blocks, self.component_axes, strict=True)
        ]
        return functools.reduce(_max_or_nan, maxima)

    def select(self, mask: Any, new: list[Any], old: list[Any]) -> list[Any]:
        """``new`` where the neuron's ``mask`` is set, else ``old``."""
        return [jnp.where(m, n, o) for m, n, o in zip(self.spread(mask), new, old, strict=True)]


def _max_or_nan(a: Any, b: Any) -> Any:
    """``max(a, b)``, NaN if either is. Written out, XLA:CPU emits the reduction over
    the rows of a stack itself; as ``jnp.max`` it calls a library kernel many times slower."""
    return jnp.where(jnp.isnan(a) | (a > b), a, b)
