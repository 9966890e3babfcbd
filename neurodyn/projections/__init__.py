"""Projections and connectivity between populations."""

from ._align_post import AlignPostProj
from ._connectivity import AllToAll, Connectivity, EventFixedProb, FixedProb
from ._delta import DeltaProj

__all__ = ["AlignPostProj", "DeltaProj", "Connectivity", "AllToAll", "FixedProb", "EventFixedProb"]
