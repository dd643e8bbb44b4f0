#!/usr/bin/env bash
# Runs the public array API conformance suite (data-apis/array-api-tests) against tftape's
# namespace and, in the same run, against numpy and jax.numpy, then prints the three counts.
#
# Usage: scripts/array_api_suite.sh SUITE_DIR [extra pytest args, e.g. array_api_tests/test_sorting_functions.py]
#   SUITE_DIR  a checkout of data-apis/array-api-tests with its `array-api` submodule.
# Environment: PYTHON (default /work/venv/bin/python, else python3), MODULES (default
#   "tftape._numpy.array_api numpy jax.numpy"), LOG_DIR (default: a temporary folder).
# Flags: x64 on (JAX_ENABLE_X64=1; tftape always has it), --max-examples=10, no extensions
# disabled. Each full run takes many minutes on a small machine.
set -u
if [ $# -lt 1 ] || [ ! -d "$1/array_api_tests" ]; then
    echo "usage: $0 SUITE_DIR [pytest args]  (SUITE_DIR: a data-apis/array-api-tests checkout)" >&2
    exit 2
fi
SUITE=$(cd "$1" && pwd); shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PYTHON:-/work/venv/bin/python}
[ -x "$PYTHON" ] || PYTHON=python3
MODULES=${MODULES:-"tftape._numpy.array_api numpy jax.numpy"}
LOG_DIR=${LOG_DIR:-$(mktemp -d)}; mkdir -p "$LOG_DIR"
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=(array_api_tests/)

declare -A COUNTS
for mod in $MODULES; do
    log="$LOG_DIR/$mod.log"
    echo "== $mod (log: $log)"
    (cd "$SUITE" && PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" JAX_ENABLE_X64=1 \
        ARRAY_API_TESTS_MODULE="$mod" "$PYTHON" -m pytest -q -p no:cacheprovider \
        --max-examples=10 -rf "${TARGETS[@]}" >"$log" 2>&1)
    COUNTS[$mod]=$(grep -E "^=*.* in [0-9.]+s" "$log" | tail -1 | sed -E 's/^=+ //; s/ =+$//')
    echo "   ${COUNTS[$mod]}"
done
echo
echo "Summary (x64 on, --max-examples=10):"
for mod in $MODULES; do
    printf '  %-24s %s\n' "$mod" "${COUNTS[$mod]}"
done
