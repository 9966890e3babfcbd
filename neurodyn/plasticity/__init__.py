"""Long-term plasticity: learning rules that change a projection's weights as it runs.

A rule is a module attached to a projection; called once per step with that step's
pre- and postsynaptic spikes, it updates the weights the projection delivers with.
"""

from ._stdp import STDP

__all__ = ["STDP"]
