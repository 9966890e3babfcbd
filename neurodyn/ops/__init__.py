"""Compiled operators behind plain-JAX references.

``csr_event_matvec`` delivers spikes through CSR connectivity, event-driven; on CPU
it runs a compiled XLA FFI kernel, elsewhere (or as fallback) the plain-JAX
``csr_event_matvec_reference``.
"""

from ._csr_event import csr_event_matvec as csr_event_matvec
from ._reference import csr_event_matvec_reference as csr_event_matvec_reference

__all__ = ["csr_event_matvec", "csr_event_matvec_reference"]
