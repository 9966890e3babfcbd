"""The core: states, modules, the simulation context, the compiled loop, random streams."""

from . import environ, random
from ._errors import ParameterError, SimulationError
from ._loop import for_loop
from ._module import Dynamics, Module, init_all_states, reset_all_states
from ._progress import ProgressBar
from ._state import HiddenState, ParamState, ShortTermState, State
from ._transforms import grad, jit
from ._vmap import vmap

__all__ = [
    "environ",
    "random",
    "ParameterError",
    "SimulationError",
    "for_loop",
    "jit",
    "grad",
    "vmap",
    "Module",
    "Dynamics",
    "init_all_states",
    "reset_all_states",
    "ProgressBar",
    "State",
    "HiddenState",
    "ShortTermState",
    "ParamState",
]
