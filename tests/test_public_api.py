"""The flat public namespace mirrors the spec's names and exports only what exists."""

import neurodyn as nd


def test_all_names_resolve():
    missing = [name for name in nd.__all__ if not hasattr(nd, name)]
    assert missing == []


def test_spec_names_are_available():
    for name in [
        "LIF",
        "Expon",
        "CUBA",
        "COBA",
        "AlignPostProj",
        "AllToAll",
        "FixedProb",
        "EventFixedProb",
        "HiddenState",
        "ShortTermState",
        "ParamState",
        "init_all_states",
        "reset_all_states",
        "for_loop",
        "environ",
        "random",
    ]:
        assert name in nd.__all__, name
    assert callable(nd.environ.set) and callable(nd.environ.context)
    assert callable(nd.environ.get_dt)
