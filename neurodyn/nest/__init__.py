"""NEST-compatible neuron models: NEST's names, parameters, defaults and update order.

Scripts written for NEST port by name: ``nest.Create("iaf_psc_alpha", 100)`` becomes
``nd.nest.iaf_psc_alpha(100)``. The models are checked against recordings of NEST
itself (``tests/nest_reference``).
"""

from . import synapses as synapses
from ._aeif import aeif_cond_alpha, aeif_cond_exp, aeif_psc_exp
from ._aeif_psc import aeif_psc_alpha, aeif_psc_delta
from ._base import NESTNeuron
from ._gap_junction import GapJunction
from ._gif import gif_cond_exp, gif_psc_exp
from ._hh import hh_cond_exp_traub, hh_psc_alpha
from ._hh_psc_alpha_gap import hh_psc_alpha_gap
from ._iaf_bw_2001 import iaf_bw_2001
from ._iaf_bw_2001_exact import iaf_bw_2001_exact
from ._iaf_cond import iaf_cond_alpha, iaf_cond_beta, iaf_cond_exp
from ._iaf_psc import iaf_psc_alpha, iaf_psc_delta, iaf_psc_exp
from ._iaf_psc_exp_variants import iaf_psc_exp_htum, iaf_tum_2000
from ._iaf_psc_multisynapse import iaf_psc_alpha_multisynapse, iaf_psc_exp_multisynapse
from ._ignore_and_fire import ignore_and_fire
from ._izhikevich import izhikevich
from ._parrot import parrot_neuron
from ._pp_psc_delta import pp_psc_delta

__all__ = [
    "NESTNeuron",
    # current-based integrate-and-fire (exact propagators)
    "iaf_psc_delta",
    "iaf_psc_exp",
    "iaf_psc_alpha",
    "iaf_psc_exp_multisynapse",
    "iaf_psc_alpha_multisynapse",
    "iaf_psc_exp_htum",
    "iaf_tum_2000",
    # conductance-based integrate-and-fire (adaptive RKF45)
    "iaf_cond_exp",
    "iaf_cond_alpha",
    "iaf_cond_beta",
    "iaf_bw_2001",
    "iaf_bw_2001_exact",
    # adaptive exponential integrate-and-fire
    "aeif_cond_alpha",
    "aeif_cond_exp",
    "aeif_psc_exp",
    "aeif_psc_alpha",
    "aeif_psc_delta",
    # Hodgkin-Huxley, and gap junctions between hh_psc_alpha_gap neurons
    "hh_psc_alpha",
    "hh_psc_alpha_gap",
    "hh_cond_exp_traub",
    "GapJunction",
    "izhikevich",
    # stochastic firing (escape noise, point process)
    "gif_psc_exp",
    "gif_cond_exp",
    "pp_psc_delta",
    # relays
    "parrot_neuron",
    "ignore_and_fire",
]
