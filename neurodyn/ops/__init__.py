"""Compiled operators behind plain-JAX references.

``csr_event_matvec`` delivers spikes through CSR connectivity, event-driven, and
``csr_event_delayed`` delivers them into a ring buffer of future steps (synaptic
delays); ``append_spike_events`` records a step's spikes as events. On CPU each runs
a compiled XLA FFI kernel, elsewhere (or as fallback) its plain-JAX reference;
``table_counts`` draws random counts (a network's Poisson drive) from ``hashed_words``
and ``hashed_uniform`` uniform numbers (escape noise).
"""

from ._csr_event import csr_event_matvec as csr_event_matvec
from ._csr_event_delayed import csr_event_delayed as csr_event_delayed
from ._hashed_uniform import hashed_uniform as hashed_uniform
from ._reference import append_spike_events_reference as append_spike_events_reference
from ._reference import csr_event_delayed_reference as csr_event_delayed_reference
from ._reference import csr_event_matvec_reference as csr_event_matvec_reference
from ._reference import hashed_uniform_reference as hashed_uniform_reference
from ._reference import hashed_words as hashed_words
from ._reference import table_counts_reference as table_counts_reference
from ._spike_events import append_spike_events as append_spike_events
from ._table_counts import table_counts as table_counts

__all__ = [
    "csr_event_matvec",
    "csr_event_matvec_reference",
    "csr_event_delayed",
    "csr_event_delayed_reference",
    "append_spike_events",
    "append_spike_events_reference",
    "hashed_words",
    "hashed_uniform",
    "hashed_uniform_reference",
    "table_counts",
    "table_counts_reference",
]
