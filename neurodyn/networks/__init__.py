"""Reference networks built from the public pieces."""

from .coba import COBANetwork, run_coba

__all__ = ["COBANetwork", "run_coba"]
