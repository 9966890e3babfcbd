"""Projections and connectivity between populations."""

from ._align_post import AlignPostProj
from ._connectivity import AllToAll, Connectivity, EventFixedProb, FixedProb

__all__ = ["AlignPostProj", "Connectivity", "AllToAll", "FixedProb", "EventFixedProb"]
