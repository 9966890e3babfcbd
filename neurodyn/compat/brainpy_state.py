"""``brainpy.state``'s names for neurodyn's models (``from neurodyn.compat import
brainpy_state as bp``).

The point neurons, synapses, outputs and projections of ``neurodyn``, and NEST's
models of :mod:`neurodyn.nest` at the top level, as ``brainpy.state`` has them.

>>> from neurodyn.compat import brainpy_state as bp
>>> import saiunit as u
>>> lif = bp.LIF(50, V_rest=-65 * u.mV, V_th=-50 * u.mV, tau=10 * u.ms)
>>> lif.V_reset  # defaults to V_rest
Quantity(-65, "mV")
"""

from ..inputs import (
    ConstantInput,
    OUProcessInput,
    PoissonEncoder,
    PoissonSpike,
    RampInput,
    SectionInput,
    SinusoidalInput,
    SpikeTime,
    StepInput,
    WienerProcessInput,
)
from ..nest import (
    aeif_cond_alpha,
    aeif_cond_exp,
    aeif_psc_exp,
    hh_cond_exp_traub,
    hh_psc_alpha,
    hh_psc_alpha_gap,
    iaf_bw_2001,
    iaf_bw_2001_exact,
    iaf_cond_alpha,
    iaf_cond_beta,
    iaf_cond_exp,
    iaf_psc_alpha,
    iaf_psc_delta,
    iaf_psc_exp,
    izhikevich,
    parrot_neuron,
)
from ..nest.synapses import (
    quantal_stp_synapse,
    stdp_dopamine_synapse,
    stdp_nn_pre_centered_synapse,
    stdp_nn_restr_synapse,
    stdp_nn_symm_synapse,
    stdp_pl_synapse_hom,
    stdp_synapse,
    stdp_synapse_hom,
    stdp_triplet_synapse,
    tsodyks2_synapse,
    tsodyks_synapse,
    vogels_sprekeler_synapse,
)
from ..neurons import (
    ALIF,
    GIF,
    HH,
    LIF,
    AdExIF,
    ExpIF,
    Izhikevich,
    LeakyRateReadout,
    MorrisLecar,
    Neuron,
    PinskyRinzelModel,
    QuaIF,
    WangBuzsakiModel,
)
from ..projections import AlignPostProj, DeltaProj
from ..synapses import (
    AMPA,
    COBA,
    CUBA,
    NMDA,
    STD,
    STP,
    Alpha,
    DualExpon,
    Expon,
    GABAa,
    MgBlock,
    Synapse,
    SynOut,
)

__all__ = [
    # point neurons
    "Neuron",
    "LIF",
    "ExpIF",
    "AdExIF",
    "QuaIF",
    "Izhikevich",
    "ALIF",
    "GIF",
    "HH",
    "MorrisLecar",
    "PinskyRinzelModel",
    "WangBuzsakiModel",
    # NEST's models
    "iaf_psc_delta",
    "iaf_psc_exp",
    "iaf_psc_alpha",
    "iaf_cond_exp",
    "iaf_cond_alpha",
    "iaf_cond_beta",
    "iaf_bw_2001",
    "iaf_bw_2001_exact",
    "aeif_cond_alpha",
    "aeif_cond_exp",
    "aeif_psc_exp",
    "hh_psc_alpha",
    "hh_psc_alpha_gap",
    "hh_cond_exp_traub",
    "izhikevich",
    "parrot_neuron",
    # NEST's plastic synapse models (rules of the network's connections)
    "stdp_synapse",
    "stdp_synapse_hom",
    "stdp_pl_synapse_hom",
    "stdp_triplet_synapse",
    "stdp_nn_symm_synapse",
    "stdp_nn_pre_centered_synapse",
    "stdp_nn_restr_synapse",
    "vogels_sprekeler_synapse",
    "tsodyks_synapse",
    "tsodyks2_synapse",
    "quantal_stp_synapse",
    "stdp_dopamine_synapse",
    # readout
    "LeakyRateReadout",
    # synapses, outputs, projections, inputs
    "Synapse",
    "Expon",
    "Alpha",
    "DualExpon",
    "STP",
    "STD",
    "AMPA",
    "GABAa",
    "NMDA",
    "SynOut",
    "CUBA",
    "COBA",
    "MgBlock",
    "AlignPostProj",
    "DeltaProj",
    "PoissonSpike",
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
