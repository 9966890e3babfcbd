"""The command line: the COBA demo prints what it did and writes a plot; user errors
are refused before simulating, each with exit status 2 and one line, never a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import neurodyn as nd
import neurodyn.networks.coba
import neurodyn.networks.cobahh
from neurodyn.__main__ import check_output_path, int_at_least, main, positive_float, seed


def test_coba_demo_prints_summary_and_writes_png(tmp_path, capsys):
    out = tmp_path / "raster.png"
    assert main(["coba", "-n", "500", "-t", "100", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "500 neurons (400 E, 100 I)" in text and "mean firing rate" in text
    rate = float(text.split("mean firing rate ")[1].split(" Hz")[0])
    assert 1.0 < rate < 100.0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cobahh_demo_prints_summary_and_writes_png(tmp_path, capsys):
    out = tmp_path / "cobahh.png"
    assert main(["cobahh", "-n", "400", "-t", "50", "-s", "3", "-o", str(out)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("COBAHH network: 400 neurons (320 E, 80 I), ")
    assert lines[0].endswith(" synapses")
    assert lines[1] == "biological time 50 ms at dt = 0.1 ms, seed 3"
    assert lines[2].startswith("build ") and " compile " in lines[2] and " simulation " in lines[2]
    rate = float(lines[3].removeprefix("mean firing rate ").removesuffix(" Hz"))
    assert 1.0 < rate < 200.0  # self-sustained: ~36 Hz at N = 4000
    assert lines[4] == f"raster plot written to {out}"
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cobahh_refuses_a_bad_argument_before_simulating(tmp_path, capsys, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the command simulated before refusing its arguments")

    monkeypatch.setattr(neurodyn.networks.cobahh, "run_cobahh", refuse)
    with pytest.raises(SystemExit) as exit_info:
        main(["cobahh", "-n", "1"])
    assert exit_info.value.code == 2
    assert "argument -n/--n-neurons: must be at least 2, got 1" in _one_error_line(capsys)
    assert main(["cobahh", "-t", "0.05", "-o", str(tmp_path / "r.png")]) == 2
    assert "--duration-ms: duration must be at least one time step" in _one_error_line(capsys)


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail the test if the command gets as far as simulating."""

    def refuse(*args, **kwargs):
        raise AssertionError("the command simulated before refusing its arguments")

    monkeypatch.setattr(neurodyn.networks.coba, "run_coba", refuse)


def _fake_result(n_neurons, duration_ms, seed, record_neurons=0, progress_bar=False):
    """What run_coba returns, without simulating (two spikes)."""
    return {
        "n_neurons": n_neurons,
        "n_synapses": 10,
        "build_s": 0.0,
        "compile_s": 0.0,
        "sim_s": 0.0,
        "rate_hz": 1.0,
        "dt_ms": 0.1,
        "spike_steps": np.array([3, 7]),
        "spike_neurons": np.array([0, 1]),
    }


def _one_error_line(capsys):
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("neurodyn: error: "), captured.err
    assert "Traceback" not in captured.err and captured.out == ""
    return lines[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["-n", "0"], "argument -n/--n-neurons: must be at least 2, got 0"),
        (["-n", "1.5"], "argument -n/--n-neurons: must be a whole number, got '1.5'"),
        (["-t", "0"], "argument -t/--duration-ms: must be a finite number > 0, got '0'"),
        (["-t", "-5"], "argument -t/--duration-ms: must be a finite number > 0, got '-5'"),
        (["-t", "nan"], "argument -t/--duration-ms: must be a finite number > 0, got 'nan'"),
        (["-t", "inf"], "argument -t/--duration-ms: must be a finite number > 0, got 'inf'"),
        (["-t", "ten"], "argument -t/--duration-ms: must be a number, got 'ten'"),
        (["-s", "-1"], "argument -s/--seed: must be at least 0, got -1"),
        (["-s", str(2**32)], "argument -s/--seed: must be at most 4294967295, got 4294967296"),
        (["--raster-neurons", "0"], "argument --raster-neurons: must be at least 1, got 0"),
        (["--no-such-option"], "unrecognized arguments: --no-such-option"),
    ],
)
def test_malformed_arguments_are_one_line_usage_errors(args, message, capsys, no_simulation):
    with pytest.raises(SystemExit) as exit_info:
        main(["coba", *args])
    assert exit_info.value.code == 2
    line = _one_error_line(capsys)
    assert line.startswith("neurodyn: error: neurodyn") and line.endswith("--help)")
    assert f": {message} (see neurodyn" in line


@pytest.mark.parametrize(
    "output, message",
    [
        ("missing/raster.png", "output folder '{tmp}/missing' does not exist"),
        ("raster.xyz", "matplotlib cannot write .xyz files; give one of "),
        ("raster", "has no file extension; give one of "),
        ("folder.png", "is a folder, not a file"),
    ],
)
def test_bad_output_paths_are_refused_before_simulating(
    output, message, tmp_path, capsys, no_simulation
):
    (tmp_path / "folder.png").mkdir()
    assert main(["coba", "-n", "10", "-o", str(tmp_path / output)]) == 2
    assert message.format(tmp=tmp_path) in _one_error_line(capsys)


def test_an_unwritable_output_folder_is_refused(tmp_path, capsys, monkeypatch, no_simulation):
    # as root every folder is writable: let os.access report what a user would see
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == tmp_path else real_access(p, mode)
    )
    assert main(["coba", "-o", str(tmp_path / "raster.png")]) == 2
    assert _one_error_line(capsys).endswith(f"output folder '{tmp_path}' is not writable")


@pytest.mark.parametrize(
    "duration, message",
    [
        ("0.05", "--duration-ms: duration must be at least one time step, got 0.05 ms"),
        ("1.05", "--duration-ms: duration must be a whole number of time steps, got 1.05 ms"),
        ("1e308", "--duration-ms: 1e+308 ms is too many time steps"),
    ],
)
def test_durations_the_run_cannot_take_are_refused_before_simulating(
    duration, message, tmp_path, capsys, no_simulation
):
    assert main(["coba", "-t", duration, "-o", str(tmp_path / "r.png")]) == 2
    assert message in _one_error_line(capsys)


@pytest.mark.parametrize(
    "error",
    [
        nd.ParameterError("freqs must be >= 0 Hz,\n got -1 Hz"),
        nd.SimulationError("state N.V became non-finite"),
    ],
)
def test_errors_from_the_simulation_print_one_line(error, tmp_path, capsys, monkeypatch):
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(neurodyn.networks.coba, "run_coba", fail)
    assert main(["coba", "-o", str(tmp_path / "r.png")]) == 2
    assert _one_error_line(capsys) == f"neurodyn: error: {' '.join(str(error).split())}"


def test_an_os_error_writing_the_plot_prints_one_line(tmp_path, capsys, monkeypatch):
    folder = tmp_path / "plots"
    folder.mkdir()

    def result_then_folder_gone(*args, **kwargs):
        folder.rmdir()  # the folder was there when checked, and is gone when writing
        return _fake_result(*args, **kwargs)

    monkeypatch.setattr(neurodyn.networks.coba, "run_coba", result_then_folder_gone)
    assert main(["coba", "-n", "10", "-o", str(folder / "r.svg")]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("neurodyn: error: "), captured.err
    assert "No such file or directory" in lines[0] and "r.svg" in lines[0]


def test_checks_accept_good_values(tmp_path, capsys, monkeypatch):
    assert check_output_path(str(tmp_path / "r.pdf")) is None
    assert check_output_path(str(tmp_path / "R.JPEG")) is None
    assert int_at_least(2)("2") == 2 and positive_float("0.5") == 0.5
    assert seed("0") == 0 and seed(str(2**32 - 1)) == 2**32 - 1
    monkeypatch.setattr(neurodyn.networks.coba, "run_coba", _fake_result)
    assert main(["coba", "-n", "10", "-t", "1", "-s", "0", "-o", str(tmp_path / "r.svg")]) == 0
    assert (tmp_path / "r.svg").read_text().lstrip().startswith("<?xml")
    assert capsys.readouterr().err == ""


def test_the_entry_point_exits_with_status_2_and_one_line(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "neurodyn", "coba", "-o", str(tmp_path / "no" / "r.png")],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"neurodyn: error: output folder '{tmp_path / 'no'}' does not exist (or is not a folder)"
    ]
