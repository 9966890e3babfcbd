"""Projections and connectivity between populations."""

from ._align_post import AlignPostProj
from ._connectivity import AllToAll, Connectivity, EventFixedProb, FixedProb
from ._current import AlignPreProj, CurrentProj
from ._delta import DeltaProj
from ._gap_junction import AsymmetryGapJunction, SymmetryGapJunction

__all__ = [
    "AlignPostProj",
    "AlignPreProj",
    "CurrentProj",
    "DeltaProj",
    "SymmetryGapJunction",
    "AsymmetryGapJunction",
    "Connectivity",
    "AllToAll",
    "FixedProb",
    "EventFixedProb",
]
