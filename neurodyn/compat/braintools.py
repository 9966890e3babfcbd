"""``braintools``' names for neurodyn's initializers and surrogate gradients
(``from neurodyn.compat import braintools``).

>>> from neurodyn.compat import braintools
>>> import saiunit as u
>>> braintools.init.Constant(0. * u.mS)((2,))
Quantity([0. 0.], "mS")
"""

from .. import init, surrogate

__all__ = ["init", "surrogate"]
