"""A porting layer for scripts written for ``brainpy.state``, ``brainstate`` and ``braintools``.

``brainpy_state`` is retired upstream; its scripts run on neurodyn after changing only
their import lines::

    import brainpy.state as bp   ->  from neurodyn.compat import brainpy_state as bp
    import brainpy.state         ->  from neurodyn.compat import brainpy  (brainpy.state.LIF)
    import brainstate            ->  from neurodyn.compat import brainstate
    import braintools            ->  from neurodyn.compat import braintools

Each namespace is a name map onto neurodyn's own objects (no second implementation):
``brainpy_state.LIF`` *is* :class:`neurodyn.LIF`. Where the old API was unsafe
(unitless time constants, mismatched sizes, unknown settings), neurodyn's clear
errors are raised instead of the old behaviour. ``docs/porting.md`` lists the name map
and every deliberate difference.

>>> from neurodyn.compat import brainpy_state as bp, brainstate
>>> import neurodyn as nd
>>> bp.LIF is nd.LIF and brainstate.nn.EventFixedProb is nd.EventFixedProb
True
"""

from . import brainpy_state, brainstate, braintools
from ._namespace import namespace

#: ``brainpy``, holding only ``state``: for scripts that ``import brainpy.state`` and
#: write ``brainpy.state.LIF``.
brainpy = namespace("neurodyn.compat.brainpy", "brainpy, for brainpy.state.", state=brainpy_state)

__all__ = ["brainpy", "brainpy_state", "brainstate", "braintools"]
