"""Connectivity: which neurons connect, with what weight and delay.

One structure, :class:`Connections` (one record per synapse: pre, post, weight,
delay; rows by presynaptic neuron for delivery, a post-sorted view for
plasticity), built by the rules (NEST's names and semantics) through
:func:`connect` or the rule functions; weights and delays may be drawn from
distributions. This layer sits above ``core`` and below ``projections``.
"""

from ._connections import Connections, delay_steps
from ._distributions import ClippedNormal, Distribution, Lognormal, Normal, Uniform
from ._rules import (
    all_to_all,
    connect,
    explicit,
    fixed_indegree,
    fixed_outdegree,
    fixed_total_number,
    one_to_one,
    pairwise_bernoulli,
)

__all__ = [
    "Connections",
    "delay_steps",
    "connect",
    "all_to_all",
    "one_to_one",
    "pairwise_bernoulli",
    "fixed_indegree",
    "fixed_outdegree",
    "fixed_total_number",
    "explicit",
    "Distribution",
    "Normal",
    "Uniform",
    "Lognormal",
    "ClippedNormal",
]
