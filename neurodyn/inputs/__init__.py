"""Input generators: currents and spike sources, one value per simulation step."""

from ._encoder import PoissonEncoder
from ._noise import OUProcessInput, WienerProcessInput
from ._poisson import PoissonSpike
from ._poisson_input import PoissonInput
from ._ramp import RampInput
from ._section import ConstantInput, SectionInput, StepInput
from ._sinusoidal import SinusoidalInput
from ._spike_time import SpikeTime

__all__ = [
    "PoissonSpike",
    "PoissonInput",
    "SectionInput",
    "ConstantInput",
    "StepInput",
    "RampInput",
    "SinusoidalInput",
    "OUProcessInput",
    "WienerProcessInput",
    "PoissonEncoder",
    "SpikeTime",
]
