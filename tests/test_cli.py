"""The command line: the COBA demo prints what it did and writes a plot."""

import pytest

from neurodyn.__main__ import main


def test_coba_demo_prints_summary_and_writes_png(tmp_path, capsys):
    out = tmp_path / "raster.png"
    assert main(["coba", "-n", "500", "-t", "100", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "500 neurons (400 E, 100 I)" in text and "mean firing rate" in text
    rate = float(text.split("mean firing rate ")[1].split(" Hz")[0])
    assert 1.0 < rate < 100.0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_bad_arguments_are_refused(capsys):
    with pytest.raises(SystemExit):
        main(["coba", "-n", "0"])
    assert "--n-neurons must be at least 2" in capsys.readouterr().err
