"""NEST's synapse models: plastic rules for the network's connections.

``static_synapse`` (the default of :meth:`neurodyn.Network.connect`) has no rule;
the models here are chosen with ``syn_spec={"synapse_model": name, ...}``.
"""

from ._base import PostSpike, PostTrace, SynapseModel
from ._dopamine import stdp_dopamine_synapse
from ._short_term import quantal_stp_synapse, tsodyks2_synapse, tsodyks_synapse
from ._stdp import (
    stdp_nn_pre_centered_synapse,
    stdp_nn_restr_synapse,
    stdp_nn_symm_synapse,
    stdp_pl_synapse_hom,
    stdp_synapse,
    stdp_synapse_hom,
    stdp_triplet_synapse,
    vogels_sprekeler_synapse,
)

#: The plastic synapse models by NEST's name.
SYNAPSE_MODELS: dict[str, type[SynapseModel]] = {
    cls.__name__: cls
    for cls in (
        stdp_synapse,
        stdp_synapse_hom,
        stdp_pl_synapse_hom,
        stdp_triplet_synapse,
        stdp_nn_symm_synapse,
        stdp_nn_pre_centered_synapse,
        stdp_nn_restr_synapse,
        vogels_sprekeler_synapse,
        tsodyks_synapse,
        tsodyks2_synapse,
        quantal_stp_synapse,
        stdp_dopamine_synapse,
    )
}

__all__ = ["SYNAPSE_MODELS", "PostSpike", "PostTrace", "SynapseModel", *SYNAPSE_MODELS]
