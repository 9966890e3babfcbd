"""The Wang (2002) decision-making network, built with the NEST-shaped network API.

Wang, X.-J. (2002). Probabilistic decision making by slow reverberation in cortical
circuits. *Neuron* 36:955-968.

``N_E = 0.8 n`` pyramidal cells and ``N_I = 0.2 n`` interneurons (NEST's
``iaf_bw_2001``), all to all. Two selective populations A and B (a fraction
``f`` of the pyramidal cells each) and the non-selective rest. Pyramidal synapses carry
AMPA and NMDA, interneuron synapses GABA; every neuron also receives a background
Poisson train on AMPA. During the stimulus, A and B receive extra Poisson input at
rates :math:`\\mu_A = \\mu_0 (1 + c/100)` and :math:`\\mu_B = \\mu_0 (1 - c/100)` (``c``
the coherence in %), each redrawn every 50 ms from a Gaussian of standard deviation
``sigma`` around its mean. Structured excitation: ``w+`` within a selective population,
``w-`` from the other selective population and from the non-selective cells onto a
selective one, 1 elsewhere, with ``w- = 1 - f (w+ - 1) / (1 - f)`` so that the mean
weight onto every cell stays 1. Slow NMDA reverberation within a selective population
and competition through the shared interneurons make the network choose: one
population ramps up to a high rate, the other is suppressed.

Parameters (the paper's where they apply; NEST's ``iaf_bw_2001`` defaults otherwise):

===================  ==================  =============================================
quantity             value               meaning
===================  ==================  =============================================
``C_m``              500 / 200 pF        capacitance, pyramidal / interneuron
``g_L``              25 / 20 nS          leak conductance
``t_ref``            2 / 1 ms            refractory period
``E_L``              -70 mV              leak reversal (NEST default)
``V_th``             -50 mV              threshold (paper; NEST's default is -55 mV)
``V_reset``          -55 mV              reset (paper; NEST's default is -60 mV)
``E_ex``, ``E_in``   0, -70 mV           AMPA/NMDA and GABA reversal (NEST defaults)
``tau_AMPA``         2 ms                (NEST default, the paper's)
``tau_rise_NMDA``    2 ms                (NEST default, the paper's)
``tau_decay_NMDA``   100 ms              (NEST default, the paper's)
``alpha``            0.5 / ms            NMDA rise coupling (NEST default, the paper's)
``tau_GABA``         5 ms                (NEST default, the paper's)
``conc_Mg2``         1 mM                (NEST default, the paper's)
``g_ext``            2.1 / 1.62 nS       external AMPA onto pyramidal / interneuron
``g_AMPA``           0.05 / 0.04 nS      recurrent AMPA, at ``N_E = 1600``
``g_NMDA``           0.165 / 0.13 nS     recurrent NMDA, at ``N_E = 1600``
``g_GABA``           1.3 / 1.0 nS        GABA, at ``N_I = 400``
``nu_ext``           2.4 kHz             background: 800 synapses at 3 Hz, as one train
``f``, ``w+``        0.15, 1.7           selective fraction, potentiated weight
``mu0``, ``sigma``   40 Hz, 4 Hz         stimulus mean at zero coherence, its jitter
``delay``            0.5 ms              every connection (not the paper's; a
                                         delivery takes at least one step)
===================  ==================  =============================================

**Scaling with size.** The recurrent conductances are multiplied by ``1600 / N_E``
(AMPA, NMDA) and ``400 / N_I`` (GABA): the mean recurrent conductance each neuron
receives, which sets the mean-field attractor landscape (Brunel & Wang 2001), is the
paper's at every size; the external drive (per neuron) is unchanged. Reduced
implementations of this model commonly scale this way, and it leaves the network's
mean-field description unchanged. What does not scale is the finite-size noise of the
recurrent input, which grows as ``1 / sqrt(N)``: below some size the selective
populations stop ramping to the decision state (measured below).

**Trials in parallel.** Several trials are independent copies of the network (block-
diagonal connectivity, their own stimulus generators and Poisson trains, each its own
coherence) simulated together in one :class:`~neurodyn.network.Network`: one
compilation and one loop for all of them.

**Behaviour measured** (n = 800, dt = 0.1 ms, 500 ms spontaneous then 1 s of
stimulus): spontaneous rates about 1.9 Hz (pyramidal) and 7 Hz (interneurons); at
±51.2 % coherence the population with the stronger stimulus won 40 of 40 trials, 37
crossed 15 Hz during the stimulus (on average 600 ms after onset) and the winners
ended at about 27 Hz against 1.6 Hz for the losers; at 0 % A won 17 of 40 and only 15
crossed 15 Hz within the second (those decide at the end of the stimulus; the same
slowness at low coherence is seen at the paper's size, n = 2000). Below n = 600 the
selective populations stop ramping reliably (at n = 400, 3 of 10 high-coherence trials
reach 15 Hz). One trial costs about 0.7 s of simulation at n = 800 on a 2-core CPU,
plus 1-3 s of compilation per network.

NEST's ``iaf_bw_2001`` approximates the saturating NMDA gating of the paper
(``ds/dt = -s/tau_decay + alpha x (1 - s)``) by a presynaptic jump per spike
(see :class:`neurodyn.nest.iaf_bw_2001`).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from .. import units as u
from ..core import random as nd_random
from ..core._errors import ParameterError
from ..network import Network, NodeCollection

#: The paper's network size, at which its conductances are given.
N_E_PAPER, N_I_PAPER = 1600, 400
PYRAMIDAL = {"C_m": 500.0, "g_L": 25.0, "t_ref": 2.0, "E_L": -70.0, "V_th": -50.0,
             "V_reset": -55.0}  # fmt: skip
INTERNEURON = {**PYRAMIDAL, "C_m": 200.0, "g_L": 20.0, "t_ref": 1.0}
#: Conductances in nS onto pyramidal cells ("E") and interneurons ("I").
G_EXT = {"E": 2.1, "I": 1.62}
G_AMPA = {"E": 0.05, "I": 0.04}
G_NMDA = {"E": 0.165, "I": 0.13}
G_GABA = {"E": 1.3, "I": 1.0}
NU_EXT_HZ = 2400.0
F_SELECTIVE, W_PLUS = 0.15, 1.7
MU0_HZ, SIGMA_HZ, RESAMPLE_MS = 40.0, 4.0, 50.0
DELAY_MS = 0.5
#: Decision: the first selective population whose rate crosses this (Wang 2002).
THRESHOLD_HZ = 15.0


def build_wang2002(
    coherence: Any,
    n: int = 800,
    seed: int = 0,
    *,
    w_plus: float = W_PLUS,
    mu0_hz: float = MU0_HZ,
    sigma_hz: float = SIGMA_HZ,
    onset_ms: float = 500.0,
    stimulus_ms: float = 1000.0,
) -> tuple[Network, dict[str, Any]]:
    """Wang's network of ``n`` neurons, one independent copy per trial, in NEST's units
    (ms, mV, nS, Hz).

    **Arguments:**

    - ``coherence``: the stimulus coherence ``c`` in % (``-100 <= c <= 100``; positive
      favours A), a number (one trial) or one per trial.
    - ``n``: neurons per copy (80 % pyramidal, ``f = 0.15`` of those in A and in B).
    - ``seed``: seeds the Poisson trains, the stimulus jitter and the initial ``V_m``.
    - ``w_plus``: the potentiated weight within a selective population.
    - ``mu0_hz``, ``sigma_hz``: stimulus mean rate and its jitter (redrawn every 50 ms).
    - ``onset_ms``, ``stimulus_ms``: stimulus onset and duration.

    **Returns:** the network and its parts: ``pyramidal``, ``interneurons`` (node
    collections of every copy), ``spikes_E``, ``spikes_I`` (spike_recorders),
    ``stimuli`` (``(n_trials, 2)`` generators of A and B) and ``sizes``.
    """
    coherences = np.atleast_1d(np.asarray(coherence, float))
    if coherences.ndim != 1 or not ((coherences >= -100.0) & (coherences <= 100.0)).all():
        raise ParameterError(f"coherence must be numbers in [-100, 100] %, got {coherence!r}")
    n_trials = len(coherences)
    n_e, n_i = int(round(0.8 * n)), int(round(0.2 * n))
    n_sel = int(round(F_SELECTIVE * n_e))
    if n_sel < 1 or n_i < 1 or n_e <= 2 * n_sel:
        raise ParameterError(
            f"n must give A, B, the non-selective cells and the interneurons >= 1 neuron "
            f"each, got n = {n}"
        )
    rng = np.random.default_rng(seed)
    nd_random.seed(seed)
    net = Network("wang2002")
    pyramidal = net.create("iaf_bw_2001", n_e * n_trials, PYRAMIDAL)
    interneurons = net.create("iaf_bw_2001", n_i * n_trials, INTERNEURON)
    for cells in (pyramidal, interneurons):  # start spread below threshold
        cells.set(V_m=rng.uniform(PYRAMIDAL["V_reset"], PYRAMIDAL["V_th"], len(cells)))

    # recurrent: all to all within each copy (no autapses), conductances scaled with N
    per_e, per_i = N_E_PAPER / n_e, N_I_PAPER / n_i
    w_ee = excitatory_structure(n_e, n_sel, w_plus)
    w_ei, w_ie, w_ii = np.ones((n_e, n_i)), np.ones((n_i, n_e)), 1.0 - np.eye(n_i)
    recurrent = [  # pre, post, relative weights, receptor, conductance (nS)
        (pyramidal, pyramidal, w_ee, "AMPA", G_AMPA["E"] * per_e),
        (pyramidal, pyramidal, w_ee, "NMDA", G_NMDA["E"] * per_e),
        (pyramidal, interneurons, w_ei, "AMPA", G_AMPA["I"] * per_e),
        (pyramidal, interneurons, w_ei, "NMDA", G_NMDA["I"] * per_e),
        (interneurons, pyramidal, w_ie, "GABA", G_GABA["E"] * per_i),
        (interneurons, interneurons, w_ii, "GABA", G_GABA["I"] * per_i),
    ]
    for pre, post, relative, receptor, g in recurrent:
        _connect_copies(net, pre, post, g * relative, receptor, n_trials)

    # background: every neuron its own Poisson train onto AMPA
    background = net.create("poisson_generator", params={"rate": NU_EXT_HZ})
    net.connect(background, pyramidal, syn_spec={"weight": G_EXT["E"], "delay": DELAY_MS,
                                                 "receptor_type": "AMPA"})  # fmt: skip
    net.connect(background, interneurons, syn_spec={"weight": G_EXT["I"], "delay": DELAY_MS,
                                                    "receptor_type": "AMPA"})  # fmt: skip

    # stimulus: A and B of each copy, a jittered rate redrawn every 50 ms
    changes = onset_ms + RESAMPLE_MS * np.arange(int(np.ceil(stimulus_ms / RESAMPLE_MS)))
    rate_times = np.append(changes, onset_ms + stimulus_ms)
    stimuli = []
    for trial, c in enumerate(coherences):
        pair = []
        for k, sign in enumerate((1.0, -1.0)):
            mean = mu0_hz * (1.0 + sign * c / 100.0)
            rates = np.maximum(rng.normal(mean, sigma_hz, len(changes)), 0.0)
            stimulus = net.create("inhomogeneous_poisson_generator", params={
                "rate_times": rate_times, "rate_values": np.append(rates, 0.0)})  # fmt: skip
            first = trial * n_e + k * n_sel
            net.connect(stimulus, pyramidal[first : first + n_sel],
                        syn_spec={"weight": G_EXT["E"], "delay": DELAY_MS,
                                  "receptor_type": "AMPA"})  # fmt: skip
            pair.append(stimulus)
        stimuli.append(pair)

    spikes_e = net.create("spike_recorder")
    spikes_i = net.create("spike_recorder")
    net.connect(pyramidal, spikes_e)
    net.connect(interneurons, spikes_i)
    sizes = {"n_E": n_e, "n_I": n_i, "n_selective": n_sel, "coherence": coherences,
             "onset_ms": onset_ms, "stimulus_ms": stimulus_ms}  # fmt: skip
    parts = {"pyramidal": pyramidal, "interneurons": interneurons, "spikes_E": spikes_e,
             "spikes_I": spikes_i, "stimuli": stimuli, "sizes": sizes}  # fmt: skip
    return net, parts


def excitatory_structure(n_e: int, n_sel: int, w_plus: float) -> np.ndarray:
    """The relative weights ``w[pre, post]`` among ``n_e`` pyramidal cells (A first, then
    B, then the non-selective ones): ``w+`` within A and within B; ``w-`` onto A or B
    from the other selective population and from the non-selective cells; 1 onto the
    non-selective cells; 0 on the diagonal (no autapses).

    >>> w = excitatory_structure(20, 3, 1.7)  # f = 0.15
    >>> float(w[0, 1]), round(float(w[3, 0]), 4), float(w[0, 10])  # A->A, B->A, A->rest
    (1.7, 0.8765, 1.0)
    """
    f = n_sel / n_e
    w_minus = 1.0 - f * (w_plus - 1.0) / (1.0 - f)
    group = np.full(n_e, 2)
    group[:n_sel], group[n_sel : 2 * n_sel] = 0, 1
    pre, post = group[:, None], group[None, :]
    weights = np.where(post == 2, 1.0, np.where(pre == post, w_plus, w_minus))
    np.fill_diagonal(weights, 0.0)
    return weights


def _connect_copies(net: Network, pre: NodeCollection, post: NodeCollection,
                    weights: np.ndarray, receptor: str, n_trials: int) -> None:  # fmt: skip
    """Connect ``pre`` to ``post`` by ``weights[i, j]`` (nS) within each of the
    ``n_trials`` copies (block diagonal; zero weights are no synapse)."""
    n_pre, n_post = weights.shape
    source, target = np.nonzero(weights)
    offsets = np.arange(n_trials)[:, None]
    net.connect(pre, post,
                {"rule": "explicit", "pre": (source + n_pre * offsets).ravel(),
                 "post": (target + n_post * offsets).ravel()},
                {"weight": np.tile(weights[source, target], n_trials), "delay": DELAY_MS,
                 "receptor_type": receptor})  # fmt: skip


def population_rates(
    times_ms: np.ndarray,
    neurons: np.ndarray,
    groups: dict[str, tuple[int, int]],
    n_per_copy: int,
    n_trials: int,
    duration_ms: float,
    window_ms: float = 50.0,
    step_ms: float = 5.0,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Rates (Hz) of groups of neurons in sliding windows: the spikes in ``(t -
    window_ms, t]`` per neuron and second, at ``t = window_ms, window_ms + step_ms, ...``.

    ``neurons`` are local indices (from 0) in a population of ``n_trials`` copies of
    ``n_per_copy`` neurons; ``groups`` maps a name to its ``(first, stop)`` within a
    copy. Returns the times and, per group, an ``(n_trials, n_times)`` array.
    """
    n_steps = int(round(duration_ms / step_ms))
    per_window = int(round(window_ms / step_ms))
    bins = np.minimum((np.ceil(times_ms / step_ms - 1e-9) - 1).astype(np.int64), n_steps - 1)
    trial, local = np.divmod(neurons, n_per_copy)
    rates = {}
    for name, (first, stop) in groups.items():
        inside = (local >= first) & (local < stop)
        counts = np.zeros((n_trials, n_steps))
        np.add.at(counts, (trial[inside], bins[inside]), 1.0)
        cumulative = np.cumsum(counts, axis=1)
        windows = (
            cumulative[:, per_window - 1 :]
            - np.pad(cumulative, ((0, 0), (1, 0)))[:, : n_steps - per_window + 1]
        )
        rates[name] = windows / ((stop - first) * window_ms / 1000.0)
    times = step_ms * np.arange(per_window, n_steps + 1)
    return times, rates


def decide(
    times_ms: np.ndarray,
    rate_a: np.ndarray,
    rate_b: np.ndarray,
    onset_ms: float,
    stimulus_ms: float,
    threshold_hz: float = THRESHOLD_HZ,
    end_ms: float = 200.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Each trial's choice and decision time (ms after onset): the first selective
    population whose rate crosses ``threshold_hz`` during the stimulus (the other
    still below it); where none does, or both cross in the same window, the one with
    the higher mean rate over the last ``end_ms`` of the stimulus (decision time NaN).
    Rates are ``(n_trials, n_times)``; choices are ``'A'`` or ``'B'``."""
    during = (times_ms > onset_ms) & (times_ms <= onset_ms + stimulus_ms)
    end = (times_ms > onset_ms + stimulus_ms - end_ms) & (times_ms <= onset_ms + stimulus_ms)
    choices, decision_times = [], []
    for a, b in zip(rate_a, rate_b, strict=True):
        crossed = during & ((a >= threshold_hz) | (b >= threshold_hz))
        later = a[end].mean() > b[end].mean()
        if crossed.any():
            k = int(np.argmax(crossed))
            if (a[k] >= threshold_hz) != (b[k] >= threshold_hz):
                choices.append("A" if a[k] >= threshold_hz else "B")
                decision_times.append(times_ms[k] - onset_ms)
                continue
        choices.append("A" if later else "B")
        decision_times.append(np.nan)
    return np.array(choices), np.array(decision_times)


def run_trials(
    coherence: Any,
    n: int = 800,
    seed: int = 0,
    *,
    threshold_hz: float = THRESHOLD_HZ,
    after_ms: float = 0.0,
    **build: Any,
) -> dict[str, Any]:
    """Build Wang's network with one copy per entry of ``coherence``, simulate the
    spontaneous period, the stimulus and ``after_ms`` more, and decide each trial
    (:func:`decide`). ``build`` goes to :func:`build_wang2002`.

    **Returns:** a dict with ``times_ms`` and ``rates`` (per population ``A``, ``B``,
    ``nonselective``, ``interneurons``: ``(n_trials, n_times)`` in Hz, 50 ms windows
    every 5 ms), ``choice`` (``'A'``/``'B'`` per trial), ``decision_time_ms`` (after
    onset; NaN without a threshold crossing), ``spontaneous_hz`` (per population, the
    mean over trials of the rate in the 300 ms before onset), the sizes and the
    timings (``build_s``, ``compile_s``, ``simulate_s``).
    """
    start = time.perf_counter()
    net, parts = build_wang2002(coherence, n, seed, **build)
    build_s = time.perf_counter() - start
    sizes = parts["sizes"]
    n_trials = len(sizes["coherence"])
    onset, stimulus = sizes["onset_ms"], sizes["stimulus_ms"]
    duration = onset + stimulus + after_ms
    net.simulate(duration * u.ms)
    n_e, n_i, n_sel = sizes["n_E"], sizes["n_I"], sizes["n_selective"]
    groups_e = {"A": (0, n_sel), "B": (n_sel, 2 * n_sel), "nonselective": (2 * n_sel, n_e)}
    rates = {}
    for recorder, cells, groups, n_copy in (
        (parts["spikes_E"], parts["pyramidal"], groups_e, n_e),
        (parts["spikes_I"], parts["interneurons"], {"interneurons": (0, n_i)}, n_i),
    ):
        events = recorder.get("events")
        times, found = population_rates(events["times"], events["senders"] - cells.first_id,
                                        groups, n_copy, n_trials, duration)  # fmt: skip
        rates.update(found)
    choice, decision_time = decide(times, rates["A"], rates["B"], onset, stimulus, threshold_hz)
    before = (times > onset - 300.0) & (times <= onset)
    return {
        "times_ms": times,
        "rates": rates,
        "choice": choice,
        "decision_time_ms": decision_time,
        "spontaneous_hz": {name: float(r[:, before].mean()) for name, r in rates.items()},
        **sizes,
        "build_s": build_s,
        "compile_s": net.last_timing["compile_s"],
        "simulate_s": net.last_timing["simulate_s"],
    }


def run_trial(coherence: float, n: int = 800, seed: int = 0, **options: Any) -> dict[str, Any]:
    """One trial (:func:`run_trials` of one coherence): rates are ``(n_times,)``,
    ``choice`` is ``'A'`` or ``'B'``, ``decision_time_ms`` a number."""
    result = run_trials([coherence], n, seed, **options)
    result["rates"] = {name: r[0] for name, r in result["rates"].items()}
    result["coherence"] = float(result["coherence"][0])
    result["choice"] = str(result["choice"][0])
    result["decision_time_ms"] = float(result["decision_time_ms"][0])
    return result
