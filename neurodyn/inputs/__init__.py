"""Input generators."""

from ._poisson import PoissonSpike

__all__ = ["PoissonSpike"]
