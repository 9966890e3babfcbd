"""Checkpoints: run T, save, load into a fresh model (in a new process), run T more:
the same simulation as one run of 2T, bit for bit; mismatches are refused."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd
from neurodyn import units as u

T = 20.0 * u.ms
T_STEPS = 200  # T / dt at dt = 0.1 ms
REPO = Path(__file__).resolve().parents[2]


def _lif(n):
    return nd.LIF(n, tau=10.0 * u.ms, R=50.0 * u.Mohm, V_rest=-65.0 * u.mV, V_th=-55.0 * u.mV,
                  V_reset=-68.0 * u.mV, tau_ref=2.0 * u.ms,
                  V_initializer=nd.init.Normal(-62.0 * u.mV, 2.0 * u.mV))  # fmt: skip


class PoissonNet(nd.Module):
    """Poisson spikes -> FixedProb -> Expon -> CUBA -> LIF, with a drive into the LIF."""

    def __init__(self, n_in=40, n_out=20):
        super().__init__()
        self.inp = nd.PoissonSpike(n_in, freqs=80.0 * u.Hz)
        self.N = _lif(n_out)
        self.proj = nd.AlignPostProj(
            comm=nd.FixedProb(n_in, n_out, prob=0.25, weight=60.0 * u.pA),
            syn=nd.Expon(n_out, tau=5.0 * u.ms, g_initializer=nd.init.ZeroInit(u.pA)),
            out=nd.CUBA(),
            post=self.N,
        )

    def update(self, current):
        self.proj(self.inp())
        return self.N(current)


def build(name, n=20):
    """The model ``name`` built from seed 3 (used by this test and its subprocess)."""
    nd.random.seed(3)
    model = _lif(n) if name == "lif" else PoissonNet(n_out=n)
    nd.init_all_states(model)
    return model


def drive(i, t):
    # depends on t and i: a restart from t = 0 would show in the record
    return (250.0 + 150.0 * u.math.sin(t / (3.0 * u.ms)) + 0.01 * i) * u.pA


def monitors(name, model):
    if name == "lif":
        return {"V": model.V, "spike": model.spike, "refractory": model.refractory}
    return {"V": model.N.V, "spike": model.N.spike, "g": model.proj.syn.g, "inp": model.inp.spike}


def records(result):
    out = {key: np.asarray(u.magnitude(result[key])) for key in result}
    out["ts"] = np.asarray(result.ts.to_decimal(u.ms))
    return out


_SECOND_HALF = """
import sys
import numpy as np
import neurodyn as nd
from neurodyn import units as u
sys.path.insert(0, {here!r})
import test_checkpoint as case

model = case.build({name!r})
nd.load_checkpoint(model, {checkpoint!r})
result = nd.run(model, case.T, inputs=case.drive, monitors=case.monitors({name!r}, model))
np.savez({out!r}, **case.records(result))
"""


@pytest.mark.parametrize("name", ["lif", "network"])
def test_save_then_load_in_a_new_process_continues_bit_for_bit(name, tmp_path):
    whole = build(name)
    both = records(nd.run(whole, 2 * T, inputs=drive, monitors=monitors(name, whole)))
    assert both["spike"][T_STEPS:].sum() > 0  # the second half has spikes to compare
    if name == "network":
        assert both["inp"][T_STEPS:].sum() > 0 and both["g"][T_STEPS:].any()

    split = build(name)
    first = records(nd.run(split, T, inputs=drive, monitors=monitors(name, split)))
    checkpoint = tmp_path / "half.ckpt"
    assert nd.save_checkpoint(split, checkpoint) == checkpoint  # the name as given
    for key in both:
        np.testing.assert_array_equal(first[key], both[key][:T_STEPS], err_msg=key)

    out = tmp_path / "second.npz"
    script = _SECOND_HALF.format(
        here=str(Path(__file__).parent), name=name, checkpoint=str(checkpoint), out=str(out)
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    with np.load(out) as second:
        assert set(second.files) == set(both)
        # the time goes on from T ...
        np.testing.assert_array_equal(second["ts"], both["ts"][T_STEPS:])
        assert second["ts"][0] == pytest.approx(20.1)
        # ... and so does every recorded state, to the bit
        for key in both:
            np.testing.assert_array_equal(second[key], both[key][T_STEPS:], err_msg=key)


def test_checkpoint_is_an_npz_without_pickle_with_units_and_settings(tmp_path):
    model = build("network")
    nd.run(model, 1.0 * u.ms, inputs=drive)
    path = nd.save_checkpoint(model, tmp_path / "net.npz")
    with zipfile.ZipFile(path) as archive:  # every entry a plain .npy array
        assert all(name.endswith(".npy") for name in archive.namelist())
    with np.load(path, allow_pickle=False) as archive:
        meta = json.loads(str(archive["@meta"]))
        assert set(meta["states"]) == set(model.states())
        assert int(archive["clock.step"]) == 10
        np.testing.assert_array_equal(archive["N.V"], np.asarray(model.N.V.value.to_decimal(u.mV)))
        np.testing.assert_array_equal(
            archive["@random_key"], np.asarray(nd.random.DEFAULT.key.value)
        )
    assert meta["version"] == 1 and meta["precision"] == 32 and meta["dt_ms"] == 0.1
    assert meta["states"]["N.V"]["leaves"] == [
        {"key": "N.V", "unit": "mV", "dtype": "float32", "shape": [20]}
    ]
    assert meta["states"]["N.refractory"]["leaves"][0]["unit"] is None  # a plain array
    assert meta["states"]["proj.syn.g"]["leaves"][0]["unit"] == "pA"


def test_a_pytree_state_round_trips(tmp_path):
    class Pair(nd.Module):
        def init_state(self, batch_size=None):
            self.pair = nd.HiddenState({"a": np.zeros(2) * u.mV, "b": np.zeros(3, np.int32)})

    saved = nd.init_all_states(Pair())
    saved.pair.value = {"a": np.array([1.5, -2.0]) * u.mV, "b": np.array([1, 2, 3], np.int32)}
    nd.save_checkpoint(saved, tmp_path / "pair.npz")
    fresh = nd.init_all_states(Pair())
    nd.load_checkpoint(fresh, tmp_path / "pair.npz")
    np.testing.assert_array_equal(fresh.pair.value["a"].to_decimal(u.mV), [1.5, -2.0])
    np.testing.assert_array_equal(fresh.pair.value["b"], [1, 2, 3])


def test_nest_model_in_float64_continues_bit_for_bit(tmp_path):
    nd.environ.set(precision=64)
    try:

        def build_nest():
            model = nd.nest.aeif_cond_alpha(3, I_e=400.0 * u.pA)
            nd.init_all_states(model)
            return model

        def nest_drive(i, t):
            return (600.0 + 200.0 * u.math.sin(t / (5.0 * u.ms))) * u.pA

        def mons(m):
            return {"V": m.V, "w": m.w, "last_spike_time": m.last_spike_time}

        whole = build_nest()
        both = nd.run(whole, 2 * T, inputs=nest_drive, monitors=mons(whole))
        split = build_nest()
        nd.run(split, T, inputs=nest_drive, monitors=mons(split))
        nd.save_checkpoint(split, tmp_path / "aeif.npz")
        fresh = build_nest()
        nd.load_checkpoint(fresh, tmp_path / "aeif.npz")
        assert fresh.V.value.mantissa.dtype == np.float64
        second = nd.run(fresh, T, inputs=nest_drive, monitors=mons(fresh))
        np.testing.assert_array_equal(
            np.asarray(second.ts.to_decimal(u.ms)), np.asarray(both.ts.to_decimal(u.ms))[T_STEPS:]
        )
        assert np.asarray(u.magnitude(both["last_spike_time"]))[-1].max() > 20.0  # it spiked
        for key in ("V", "w", "last_spike_time"):
            np.testing.assert_array_equal(
                np.asarray(u.magnitude(second[key])),
                np.asarray(u.magnitude(both[key]))[T_STEPS:],
                err_msg=key,
            )
    finally:
        nd.environ.set(precision=32)


def _unchanged(model):
    """A snapshot of the model's states and the random key, to check nothing changed."""
    values = {path: np.asarray(u.magnitude(s.value)) for path, s in model.states().items()}
    return values, np.asarray(nd.random.DEFAULT.key.value)


def _assert_same(before, after):
    for path in before[0]:
        np.testing.assert_array_equal(before[0][path], after[0][path], err_msg=path)
    np.testing.assert_array_equal(before[1], after[1])


@pytest.fixture
def saved(tmp_path):
    model = build("network")
    nd.run(model, 1.0 * u.ms, inputs=drive)
    return nd.save_checkpoint(model, tmp_path / "net.npz")


def test_a_model_of_another_size_is_refused(saved):
    other = build("network", n=25)
    before = _unchanged(other)
    expected = r"state N\.spike: shape \(20,\) in the checkpoint, \(25,\) in the model"
    with pytest.raises(nd.ParameterError, match=expected):
        nd.load_checkpoint(other, saved)
    _assert_same(before, _unchanged(other))


def test_a_model_with_other_states_is_refused(saved):
    with pytest.raises(
        nd.ParameterError,
        match=r"checkpoint only: \['N.V', .*'inp.spike', .*model only: \['V', 'refractory'",
    ):
        nd.load_checkpoint(build("lif"), saved)


def test_a_changed_dt_is_refused(saved):
    nd.environ.set(dt=0.05 * u.ms)
    model = build("network")
    before = _unchanged(model)
    with pytest.raises(nd.ParameterError, match=r"saved with dt = 0.1 ms, but dt is now 0.05 ms"):
        nd.load_checkpoint(model, saved)
    _assert_same(before, _unchanged(model))


def test_a_changed_precision_is_refused(saved):
    nd.environ.set(precision=64)
    model = build("network")
    with pytest.raises(nd.ParameterError, match=r"precision = 32 bits, but precision is now 64"):
        nd.load_checkpoint(model, saved)


def test_a_changed_unit_or_dtype_is_refused(saved, tmp_path):
    with np.load(saved) as archive:
        arrays = dict(archive)
    meta = json.loads(str(arrays["@meta"]))
    meta["states"]["N.V"]["leaves"][0]["unit"] = "V"
    arrays["@meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "unit.npz", **arrays)
    with pytest.raises(nd.ParameterError, match=r"state N\.V: unit V in the checkpoint, mV in"):
        nd.load_checkpoint(build("network"), tmp_path / "unit.npz")
    meta["states"]["N.V"]["leaves"][0]["unit"] = "mV"
    arrays["@meta"] = np.array(json.dumps(meta))
    arrays["N.refractory"] = arrays["N.refractory"].astype(np.int64)
    np.savez(tmp_path / "dtype.npz", **arrays)
    with pytest.raises(nd.ParameterError, match=r"N\.refractory: dtype int64 in the checkpoint"):
        nd.load_checkpoint(build("network"), tmp_path / "dtype.npz")


def test_files_that_are_not_checkpoints_are_refused(tmp_path):
    model = build("lif")
    before = _unchanged(model)
    text = tmp_path / "notes.txt"
    text.write_text("not a checkpoint\n")
    np.save(tmp_path / "one.npy", np.zeros(3))
    np.savez(tmp_path / "other.npz", x=np.zeros(3))
    np.savez(tmp_path / "objects.npz", x=np.array([{"a": 1}], dtype=object))
    for path, why in [
        (text, "not a NumPy .npz archive"),
        (tmp_path / "one.npy", "single array"),
        (tmp_path / "other.npz", "no readable @meta"),
        (tmp_path / "objects.npz", "allow_pickle"),
    ]:
        with pytest.raises(
            nd.ParameterError, match=rf"{path.name} is not a neurodyn checkpoint.*{why}"
        ):
            nd.load_checkpoint(model, path)
    _assert_same(before, _unchanged(model))
    with pytest.raises(FileNotFoundError):
        nd.load_checkpoint(model, tmp_path / "missing.npz")


def test_saving_needs_states_and_unchanged_settings(tmp_path):
    with pytest.raises(nd.ParameterError, match="no states to save yet"):
        nd.save_checkpoint(_lif(3), tmp_path / "x.npz")
    model = build("lif")
    nd.environ.set(dt=0.2 * u.ms)
    with pytest.raises(nd.ParameterError, match="dt changed from 0.1 ms to 0.2 ms"):
        nd.save_checkpoint(model, tmp_path / "x.npz")
    assert list(tmp_path.iterdir()) == []
