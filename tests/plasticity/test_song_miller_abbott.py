"""examples/song_miller_abbott.py, shortened: STDP makes the weights compete."""

import importlib.util
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "song_miller_abbott.py"


def _load():
    spec = importlib.util.spec_from_file_location("examples_song_miller_abbott", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_weights_move_to_the_bounds_and_the_output_rate_falls(tmp_path):
    """60 s at twice the paper's learning rate (A+ = 0.01): the output rate falls from
    its initial value, most weights are depressed towards 0, and after the first
    collapse a group of weights grows back towards g_max (the second mode)."""
    song = _load()
    result = song.simulate(duration_s=60.0, rate_hz=20.0, seed=0, snapshots=6, A_plus=0.01)
    rates, weights = result["rate_hz"], result["weights"]
    assert rates.shape == (60,) and weights.shape == (7, song.N_EXC)
    assert ((weights >= 0.0) & (weights <= 1.0)).all()
    assert rates[-10:].mean() < 0.5 * rates[0]
    near_zero, near_max = result["near_zero"], result["near_max"]
    assert near_zero[-1] > near_zero[0] + 0.15
    assert near_max[-1] > 2.0 * near_max[1:].min()
    spread = weights.std(axis=1)
    assert spread[-1] > spread[1]  # after the first collapse the weights spread out again
    top = np.histogram(weights[-1], np.linspace(0.0, 1.0, 11))[0]
    assert top[-1] > max(top[-3], top[-2])  # a mode at g_max
    for path in (
        song.plot_weights(result, tmp_path / "w.png"),
        song.plot_rate(result, tmp_path / "r.png"),
    ):
        assert Path(path).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bimodality_criterion():
    song = _load()
    rng = np.random.default_rng(0)
    assert not song.bimodal(rng.uniform(0.0, 1.0, 1000))
    split = np.concatenate([rng.uniform(0.0, 0.05, 600), rng.uniform(0.95, 1.0, 150)])
    assert song.bimodal(np.concatenate([split, rng.uniform(0.0, 1.0, 250)]))
    assert not song.bimodal(rng.uniform(0.0, 0.3, 1000))
