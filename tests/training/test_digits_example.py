"""examples/train_digits.py: its quick run trains a recurrent spiking network on
scikit-learn's digits well above chance, and prints each epoch's test accuracy."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "train_digits.py"


def test_quick_training_beats_chance(capsys):
    spec = importlib.util.spec_from_file_location("examples_train_digits", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    history = script.main(["--quick"])
    printed = capsys.readouterr().out
    assert [record["epoch"] for record in history] == [1, 2]
    assert printed.count("test accuracy") == 3  # each epoch, and the final line
    assert history[-1]["test_accuracy"] > 0.4  # chance is 0.1
    assert history[-1]["loss"] < history[0]["loss"]
