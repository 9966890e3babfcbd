"""The compartment tree of NEST's ``cm_default`` and its implicit solver.

Each step NEST solves the tridiagonal-on-a-tree system ``G v = f`` of the
Crank-Nicolson step (the off-diagonal element between a compartment and its parent is
``-g_C / 2``) by Gaussian elimination in two sweeps over the tree (Hines' method): a
down sweep from the leaves to the root folds every compartment's row into its
parent's, an up sweep from the root sets the potentials. The tree's shape is fixed,
so both sweeps are unrolled here into a fixed sequence of elementwise operations,
vectorised over neurons that share the tree. The order of operations is NEST's, so
that the rounding is too.
"""

from __future__ import annotations

from typing import Any

from ..core._errors import ParameterError


class CompartmentTree:
    """The shape of a compartment tree: compartment ``c``'s parent is ``parents[c]``
    (``-1`` for the root, compartment 0); compartments are numbered in the order
    they were added, and a parent precedes its children.

    **Arguments:**

    - ``parents``: the parent index of each compartment.
    """

    def __init__(self, parents: list[int]):
        if not parents or parents[0] != -1:
            raise ParameterError(
                "compartments: the first compartment is the root and needs parent_idx -1, "
                f"got parent indices {list(parents)}"
            )
        for index, parent in enumerate(parents[1:], start=1):
            if not 0 <= parent < index:
                raise ParameterError(
                    f"compartments: compartment {index} has parent_idx {parent}, which is "
                    f"not an earlier compartment (0..{index - 1})"
                )
        self.parents = tuple(int(p) for p in parents)
        self.children = tuple(
            tuple(c for c, p in enumerate(self.parents) if p == index)
            for index in range(len(self.parents))
        )
        self.down_sweep = self._down_sweep_order()
        self.up_sweep = self._up_sweep_order()

    def __len__(self) -> int:
        return len(self.parents)

    def _down_sweep_order(self) -> tuple[int, ...]:
        """The order in which NEST's down sweep eliminates the compartments: from the
        first leaf towards the root, turning to the next leaf wherever a parent still
        waits for another child (this order fixes how children's terms are summed)."""
        leaves = [c for c in range(len(self)) if not self.children[c]]
        passed = [0] * len(self)
        order, compartment, leaf = [], leaves[0], 0
        while True:
            order.append(compartment)
            parent = self.parents[compartment]
            if parent < 0:
                break
            passed[parent] += 1
            if passed[parent] == len(self.children[parent]):
                compartment = parent
            else:
                leaf += 1
                if leaf == len(leaves):
                    break
                compartment = leaves[leaf]
        return tuple(order)

    def _up_sweep_order(self) -> tuple[int, ...]:
        """Root first, then each compartment's subtrees in the order of its children."""
        order, stack = [], [0]
        while stack:
            compartment = stack.pop()
            order.append(compartment)
            stack.extend(reversed(self.children[compartment]))
        return tuple(order)

    def system(
        self, v: list, C_m_dt: list, g_L: list, e_L: list, g_C: list, g_chan: list, i_chan: list,
        current: list,
    ) -> tuple[list, list, list]:  # fmt: skip
        """The rows ``(diagonal, right-hand side, off-diagonal)`` of the step's linear
        system, per compartment (NEST's ``construct_matrix_element``).

        ``v``: the potentials (mV); ``C_m_dt``: ``C_m / dt``; ``g_L``, ``e_L``, ``g_C``:
        the passive parameters; ``g_chan``, ``i_chan``: the linearised channel and
        receptor terms; ``current``: the injected currents (nA). Lists by compartment.
        """
        diagonal, rhs, off = [], [], []
        for c, parent in enumerate(self.parents):
            half_g_L = g_L[c] / 2.0
            gg = C_m_dt[c] + half_g_L
            ff = (C_m_dt[c] - half_g_L) * v[c] + g_L[c] * e_L[c]
            hh = 0.0
            if parent >= 0:
                gg = gg + g_C[c] / 2.0
                hh = -(g_C[c] / 2.0)
                ff = ff - g_C[c] / 2.0 * (v[c] - v[parent])
            for child in self.children[c]:
                gg = gg + g_C[child] / 2.0
            for child in self.children[c]:
                ff = ff - g_C[child] / 2.0 * (v[c] - v[child])
            diagonal.append(gg + g_chan[c])
            rhs.append(ff + i_chan[c] + current[c])
            off.append(hh)
        return diagonal, rhs, off

    def solve(self, diagonal: list, rhs: list, off: list) -> list:
        """The potentials that solve the system (NEST's ``solve_matrix``)."""
        gg, ff = list(diagonal), list(rhs)
        gathered: dict[int, list[Any]] = {}
        for c in self.down_sweep:
            if c in gathered:
                xx, yy = gathered.pop(c)
                gg[c] = gg[c] - xx
                ff[c] = ff[c] - yy
            parent = self.parents[c]
            if parent >= 0:
                g_out = off[c] * off[c] / gg[c]
                f_out = ff[c] * off[c] / gg[c]
                if parent in gathered:
                    xx, yy = gathered[parent]
                    gathered[parent] = [xx + g_out, yy + f_out]
                else:
                    gathered[parent] = [g_out, f_out]
        v = [None] * len(self)
        for c in self.up_sweep:
            parent = self.parents[c]
            v[c] = ff[c] / gg[c] if parent < 0 else (ff[c] - v[parent] * off[c]) / gg[c]
        return v
