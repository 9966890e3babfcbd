"""NEST-compatible neuron models: NEST's names, parameters, defaults and update order.

Scripts written for NEST port by name: ``nest.Create("iaf_psc_alpha", 100)`` becomes
``nd.nest.iaf_psc_alpha(100)``. The models are checked against recordings of NEST
itself (``tests/nest_reference``).
"""

from . import synapses as synapses
from ._aeif_cond import aeif_cond_alpha, aeif_cond_exp
from ._aeif_multisynapse import aeif_cond_alpha_multisynapse, aeif_cond_beta_multisynapse
from ._aeif_psc import aeif_psc_alpha, aeif_psc_delta, aeif_psc_exp
from ._aeif_psc_delta_clopath import aeif_psc_delta_clopath
from ._astrocyte import aeif_cond_alpha_astro, astrocyte_lr_1994
from ._base import NESTNeuron
from ._binary import erfc_neuron, ginzburg_neuron, mcculloch_pitts_neuron
from ._cm_default import cm_default
from ._gap_junction import GapJunction
from ._gif import gif_cond_exp, gif_psc_exp
from ._gif_multisynapse import gif_cond_exp_multisynapse, gif_psc_exp_multisynapse
from ._gif_pop import gif_pop_psc_exp
from ._glif_cond import glif_cond
from ._glif_psc import glif_psc, glif_psc_double_alpha
from ._hh import hh_psc_alpha
from ._hh_cond_beta_gap_traub import hh_cond_beta_gap_traub
from ._hh_cond_exp_traub import hh_cond_exp_traub
from ._hh_psc_alpha_clopath import hh_psc_alpha_clopath
from ._hh_psc_alpha_gap import hh_psc_alpha_gap
from ._ht_neuron import ht_neuron
from ._iaf_bw_2001 import iaf_bw_2001
from ._iaf_bw_2001_exact import iaf_bw_2001_exact
from ._iaf_chs_2007 import iaf_chs_2007
from ._iaf_chxk_2008 import iaf_chxk_2008
from ._iaf_cond import iaf_cond_alpha, iaf_cond_beta, iaf_cond_exp
from ._iaf_cond_alpha_mc import iaf_cond_alpha_mc
from ._iaf_cond_sfa_rr import iaf_cond_exp_sfa_rr
from ._iaf_ps import (
    iaf_psc_alpha_ps,
    iaf_psc_delta_ps,
    iaf_psc_exp_ps,
    iaf_psc_exp_ps_lossless,
)
from ._iaf_psc import iaf_psc_alpha, iaf_psc_delta, iaf_psc_exp
from ._iaf_psc_exp_variants import iaf_psc_exp_htum, iaf_tum_2000
from ._iaf_psc_multisynapse import iaf_psc_alpha_multisynapse, iaf_psc_exp_multisynapse
from ._ignore_and_fire import ignore_and_fire
from ._izhikevich import izhikevich
from ._mat2 import amat2_psc_exp, mat2_psc_exp
from ._parrot import parrot_neuron
from ._pp_cond_exp_mc_urbanczik import pp_cond_exp_mc_urbanczik
from ._pp_psc_delta import pp_psc_delta
from ._rate import RateNode, rate_neuron_ipn, rate_neuron_opn, rate_transformer_node
from ._rate_connection import RateConnection as RateConnection  # not in __all__: no in_size
from ._rate_families import (
    gauss_rate_ipn,
    lin_rate_ipn,
    lin_rate_opn,
    rate_transformer_gauss,
    rate_transformer_lin,
    rate_transformer_sigmoid,
    rate_transformer_sigmoid_gg_1998,
    rate_transformer_tanh,
    rate_transformer_threshold_lin,
    sigmoid_rate_gg_1998_ipn,
    sigmoid_rate_ipn,
    tanh_rate_ipn,
    tanh_rate_opn,
    threshold_lin_rate_ipn,
    threshold_lin_rate_opn,
)
from ._rate_siegert import DiffusionConnection as DiffusionConnection  # no in_size
from ._rate_siegert import siegert_neuron

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
    # precise spike timing (off-grid spikes; exact propagators)
    "iaf_psc_delta_ps",
    "iaf_psc_exp_ps",
    "iaf_psc_exp_ps_lossless",
    "iaf_psc_alpha_ps",
    # non-resetting, with a multi-timescale adaptive threshold (exact propagators)
    "mat2_psc_exp",
    "amat2_psc_exp",
    # conductance-based integrate-and-fire (adaptive RKF45)
    "iaf_cond_exp",
    "iaf_cond_alpha",
    "iaf_cond_beta",
    "iaf_cond_exp_sfa_rr",
    "iaf_chs_2007",
    "iaf_chxk_2008",
    "iaf_cond_alpha_mc",
    "iaf_bw_2001",
    "iaf_bw_2001_exact",
    # adaptive exponential integrate-and-fire
    "aeif_cond_alpha",
    "aeif_cond_exp",
    "aeif_psc_exp",
    "aeif_psc_alpha",
    "aeif_psc_delta",
    "aeif_cond_alpha_multisynapse",
    "aeif_cond_beta_multisynapse",
    "aeif_psc_delta_clopath",
    # Hodgkin-Huxley (and Hill-Tononi), gap junctions between the *_gap* models
    "hh_psc_alpha",
    "hh_psc_alpha_gap",
    "hh_cond_exp_traub",
    "hh_cond_beta_gap_traub",
    "hh_psc_alpha_clopath",
    "GapJunction",
    "ht_neuron",
    # multi-compartment trees (implicit tree solver)
    "cm_default",
    "izhikevich",
    # stochastic firing (escape noise, point process)
    "gif_psc_exp",
    "gif_cond_exp",
    "gif_psc_exp_multisynapse",
    "gif_cond_exp_multisynapse",
    "gif_pop_psc_exp",
    "pp_psc_delta",
    "pp_cond_exp_mc_urbanczik",
    # binary neurons (stochastic updates, state changes as events)
    "mcculloch_pitts_neuron",
    "ginzburg_neuron",
    "erfc_neuron",
    # astrocytes, and the neuron that takes their slow inward current
    "astrocyte_lr_1994",
    "aeif_cond_alpha_astro",
    # generalized leaky integrate-and-fire (Allen Institute GLIF1..5)
    "glif_psc",
    "glif_psc_double_alpha",
    "glif_cond",
    # rate models (Hahne et al. 2017) and their connections
    "RateNode",
    "rate_neuron_ipn",
    "rate_neuron_opn",
    "rate_transformer_node",
    "lin_rate_ipn",
    "tanh_rate_ipn",
    "threshold_lin_rate_ipn",
    "sigmoid_rate_ipn",
    "sigmoid_rate_gg_1998_ipn",
    "gauss_rate_ipn",
    "lin_rate_opn",
    "tanh_rate_opn",
    "threshold_lin_rate_opn",
    "rate_transformer_lin",
    "rate_transformer_tanh",
    "rate_transformer_threshold_lin",
    "rate_transformer_sigmoid",
    "rate_transformer_sigmoid_gg_1998",
    "rate_transformer_gauss",
    "siegert_neuron",
    # relays
    "parrot_neuron",
    "ignore_and_fire",
]
