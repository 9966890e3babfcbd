"""``brainstate``'s names for neurodyn's core (``from neurodyn.compat import brainstate``).

- ``environ``: :mod:`neurodyn.environ` (``set``, ``get``, ``get_dt``, ``context``,
  ``dftype``); its settings are ``dt``, ``t``, ``i`` and ``precision``, and any other
  name (brainstate's ``platform``, ``mode``, ...) is refused with a clear error.
- ``nn``: modules, connectivity and the state walk (``init_all_states``,
  ``reset_all_states``, ``EventFixedProb``, ``AllToAll``, ...).
- ``transform``: ``for_loop``, ``jit``, ``grad``, ``vmap``.
- states (``State``, ``HiddenState``, ``ShortTermState``, ``ParamState``) and ``random``.

>>> from neurodyn.compat import brainstate
>>> import saiunit as u
>>> brainstate.environ.set(dt=0.1 * u.ms)
>>> brainstate.environ.set(platform="cpu")
Traceback (most recent call last):
...
neurodyn.core._errors.ParameterError: unknown setting 'platform'; the settings are dt, precision
"""

from .. import core as _core
from .. import projections as _projections
from ..core import (
    HiddenState,
    ParamState,
    ShortTermState,
    State,
    environ,
    random,
)
from ._namespace import namespace

nn = namespace(
    "neurodyn.compat.brainstate.nn",
    "brainstate.nn's names: modules, connectivity, the state walk.",
    Module=_core.Module,
    Dynamics=_core.Dynamics,
    init_all_states=_core.init_all_states,
    reset_all_states=_core.reset_all_states,
    EventFixedProb=_projections.EventFixedProb,
    AllToAll=_projections.AllToAll,
)

transform = namespace(
    "neurodyn.compat.brainstate.transform",
    "brainstate.transform's names: the compiled loop and the state-threading transforms.",
    for_loop=_core.for_loop,
    jit=_core.jit,
    grad=_core.grad,
    vmap=_core.vmap,
)

__all__ = [
    "environ",
    "random",
    "nn",
    "transform",
    "State",
    "HiddenState",
    "ShortTermState",
    "ParamState",
]
