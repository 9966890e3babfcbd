#!/usr/bin/env bash
# Create one virtual environment per peer simulator under benchmarks/.peers/.
#
#   bash benchmarks/setup_peers.sh [brian2] [nest] [brainpy] [brainstate]    (default: all)
#
# Idempotent: an environment that already passes its check is left alone. Every peer is
# optional: a failure is reported and the script goes on. Set FORCE=1 to rebuild.
set -uo pipefail
cd "$(dirname "$0")"
PEERS_DIR="$PWD/.peers"
mkdir -p "$PEERS_DIR"

# The interpreter for Python X.Y: pythonX.Y on PATH if it runs, else pyenv's copy.
find_python() {
    local version=$1 candidate
    if "python$version" -c "" 2>/dev/null; then command -v "python$version"; return 0; fi
    if command -v pyenv >/dev/null; then
        for candidate in "$(pyenv root)"/versions/"$version"*/bin/"python$version"; do
            if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
        done
    fi
    return 1
}

# Python code that imports MODULE and prints its version and Python's.
check() {
    echo "import sys, $1; print('$1', $1.__version__, 'python', sys.version.split()[0])"
}

# setup_peer NAME CHECK_CODE "PY_VERSIONS" PIP_ARGS...: the first Python whose install passes.
setup_peer() {
    local name=$1 check=$2 versions=$3 env="$PEERS_DIR/$1" log="$PEERS_DIR/$1.log" version python
    shift 3
    if [ -z "${FORCE:-}" ] && "$env/bin/python" -c "$check" >/dev/null 2>&1; then
        echo "[$name] ok, already set up: $("$env/bin/python" -c "$check" 2>/dev/null | tail -1)"
        return 0
    fi
    : >"$log"
    for version in $versions; do
        if ! python=$(find_python "$version"); then
            echo "[$name] no Python $version here, trying the next one"
            continue
        fi
        echo "[$name] installing $* with Python $version (log: $log)"
        rm -rf "$env"
        if "$python" -m venv "$env" >>"$log" 2>&1 \
            && "$env/bin/pip" install -q --upgrade pip >>"$log" 2>&1 \
            && "$env/bin/pip" install -q "$@" >>"$log" 2>&1 \
            && "$env/bin/python" -c "$check" >>"$log" 2>&1; then
            echo "[$name] ok: $("$env/bin/python" -c "$check" 2>/dev/null | tail -1)"
            return 0
        fi
        echo "[$name] failed with Python $version: $(grep -E 'Error|error' "$log" | tail -1)"
    done
    rm -rf "$env"
    echo "[$name] NOT AVAILABLE: no Python in ($versions) could install it; see $log"
    return 1
}

setup_brian2() {
    command -v g++ >/dev/null || echo "[brian2] warning: no g++, cpp_standalone will not work"
    setup_peer brian2 "$(check brian2)" "3.13 3.12 3.11" "brian2>=2.9,<3"
}

setup_nest() {
    # NEST prints a banner on import; the check's last line is the version.
    setup_peer nest "$(check nest)" "3.11 3.12 3.13" nest-simulator
}

setup_brainpy() {
    # The runner uses brainpy.state (the brainstate-based API, brainpy >= 2.7); the cpu extra
    # brings numba, which brainevent's CPU spike-delivery kernels need.
    setup_peer brainpy "import numba, brainpy.state; $(check brainpy)" "3.13 3.12 3.11" \
        "brainpy[cpu]>=2.7"
}

setup_brainstate() {
    # The training benchmark's peer: brainstate's transforms (grad, for_loop, jit) with
    # optax, the optimiser both sides use, on the jax version of neurodyn's environment
    # (NEURODYN_PYTHON, default ../.venv), so that both compile with the same XLA.
    local python="${NEURODYN_PYTHON:-../.venv/bin/python}" jax="jax"
    if "$python" -c "import jax" 2>/dev/null; then
        jax="jax==$("$python" -c "import jax; print(jax.__version__)")"
    else
        echo "[brainstate] warning: no neurodyn environment at $python; jax left unpinned"
    fi
    setup_peer brainstate "import optax, brainstate; $(check brainstate)" "3.13 3.12 3.11" \
        brainstate optax "$jax"
}

status=0
[ $# -gt 0 ] || set -- brian2 nest brainpy brainstate
for peer in "$@"; do
    case $peer in
        brian2 | nest | brainpy | brainstate) "setup_$peer" || status=1 ;;
        *) echo "unknown peer: $peer (brian2, nest, brainpy, brainstate)"; status=1 ;;
    esac
done
echo "peer environments in $PEERS_DIR:"
ls "$PEERS_DIR" | grep -v '\.log$' | sed 's/^/  /'
# Non-zero only to tell a caller that some peer is missing; the rest are usable.
exit $status
