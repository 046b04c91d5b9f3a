#!/usr/bin/env bash
# The whole test suite, as CI runs it:
#   1. release build (-Werror) and every CTest test (among them the ABI tests, a
#      program built against the frozen 0.1.0 header, and the package consumers);
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. a clang build (-Werror) and every CTest test;
#   4. libFuzzer targets built with clang: a short fuzzing run from the seed corpora;
#   4b. ThreadSanitizer (clang): every test whose code runs threads (a scanner
#      shared between threads, its background index build, split queries, the
#      index build, vPDQ hashing threads, eval's pair statistics, the CLI's
#      parallel hashing);
#   5. aarch64 cross build, tests run under qemu-user (the NEON tier);
#   6. a build without FFmpeg (HM_WITH_VIDEO=OFF): the library and CLI build,
#      video decoding says it is unsupported, sets and matching still work.
#   7. the Python package installed as the README says (Debian's python3, a venv
#      with --system-site-packages, pip --no-index) and its pytest suite;
#   8. the WebAssembly module (scripts/wasm.sh, its dependencies cached outside
#      the clone) against the native tool in Node, and its page in Chromium.
# HM_TEST_STAGES limits the stages (e.g. HM_TEST_STAGES="release asan").
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test

JOBS=$(nproc)
STAGES=${HM_TEST_STAGES:-"release asan clang fuzz tsan aarch64 novideo python wasm"}
# Seconds per libFuzzer target: with one target per parser of outside input
# (images, videos, sets, transforms, trust and key files, set build's CSV
# and JSON lines, the eval JSON reader, the list formats, deltas, ...) 10 s
# each keeps the stage near four minutes.
FUZZ_SECONDS=${HM_FUZZ_SECONDS:-10}
export CTEST_OUTPUT_ON_FAILURE=1

stage() { printf '\n=== %s ===\n' "$*"; }
has_stage() { [[ " $STAGES " == *" $1 "* ]]; }

if has_stage release; then
    stage "release build and tests"
    cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHM_BUILD_TESTS=ON \
          -DCMAKE_C_FLAGS=-Werror >/dev/null
    cmake --build build/release -j"$JOBS"
    ctest --test-dir build/release -j"$JOBS"
fi

if has_stage asan; then
    stage "AddressSanitizer + UndefinedBehaviorSanitizer build and tests"
    cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DHM_SANITIZE=ON -DHM_BUILD_TESTS=ON \
          -DCMAKE_C_FLAGS="-O1 -Werror" >/dev/null
    cmake --build build/asan -j"$JOBS"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build/asan -j"$JOBS" -E '^bench_'
fi

if has_stage clang; then
    if command -v clang >/dev/null; then
        stage "clang build and tests"
        cmake -S . -B build/clang -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
              -DHM_BUILD_TESTS=ON -DHM_VIDEO_VECTORS_SHORT=ON -DCMAKE_C_FLAGS=-Werror >/dev/null
        cmake --build build/clang -j"$JOBS"
        ctest --test-dir build/clang -j"$JOBS" -E '^bench_'
    else
        stage "clang: not found, skipped"
    fi
fi

if has_stage fuzz; then
    if command -v clang >/dev/null; then
        stage "libFuzzer targets (${FUZZ_SECONDS}s each from the seed corpora)"
        cmake -S . -B build/fuzz -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=Debug \
              -DHM_FUZZ=ON -DHM_SANITIZE=ON -DHM_BUILD_TESTS=OFF -DHM_BUILD_CLI=OFF \
              -DCMAKE_C_FLAGS="-O1 -Werror" >/dev/null
        cmake --build build/fuzz -j"$JOBS"
        for f in build/fuzz/tests/fuzz/fuzz_*; do
            [ -x "$f" ] || continue
            name=$(basename "$f")
            corpus=tests/fuzz/corpus/${name#fuzz_}
            work=build/fuzz/corpus-${name#fuzz_}
            mkdir -p "$work"
            echo "fuzzing $name"
            "$f" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
                 -print_final_stats=0 "$work" "$corpus" 2>build/fuzz/"$name".log ||
                { tail -50 build/fuzz/"$name".log; exit 1; }
        done
    else
        stage "fuzz: clang not found, skipped"
    fi
fi

if has_stage tsan; then
    if command -v clang >/dev/null; then
        stage "ThreadSanitizer build and the tests that run threads"
        TSAN_TESTS="test_scanner test_scanner_index test_match_index test_hasher test_video test_vpdq_match test_eval_pairs test_cli_walk"
        cmake -S . -B build/tsan -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo \
              -DHM_SANITIZE_THREAD=ON -DHM_BUILD_TESTS=ON -DHM_VIDEO_VECTORS_SHORT=ON \
              -DCMAKE_C_FLAGS="-O1 -Werror" >/dev/null
        # shellcheck disable=SC2086
        cmake --build build/tsan -j"$JOBS" --target hashmatch_cli $TSAN_TESTS
        TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
            ctest --test-dir build/tsan -j"$JOBS" -R "^($(echo $TSAN_TESTS | tr ' ' '|'))\$"
    else
        stage "tsan: clang not found, skipped"
    fi
fi

if has_stage aarch64; then
    stage "aarch64 cross build, tests under qemu-user"
    cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
          -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-Werror >/dev/null
    cmake --build build/aarch64 -j"$JOBS"
    ctest --test-dir build/aarch64 -j"$JOBS" -E '^(bench_|exports$)'
fi

if has_stage novideo; then
    stage "build without FFmpeg (HM_WITH_VIDEO=OFF)"
    cmake -S . -B build/novideo -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHM_WITH_VIDEO=OFF \
          -DHM_BUILD_TESTS=ON -DCMAKE_C_FLAGS=-Werror >/dev/null
    cmake --build build/novideo -j"$JOBS" --target hashmatch hashmatch_cli test_vpdq_match test_common
    ctest --test-dir build/novideo -R '^(test_vpdq_match|test_common)$'
    if build/novideo/hashmatch hash --algo vpdq demo/video/listed.mp4 >/dev/null 2>&1; then
        echo "a build without video hashed a video"; exit 1
    fi
fi

if has_stage python; then
    stage "Python package: install with Debian's python3 (venv, then --user), pytest"
    PY=/usr/bin/python3 # never the PATH's python3: CI has only Debian's
    rm -rf build/python-venv build/python-user
    "$PY" -m venv --system-site-packages build/python-venv
    CMAKE_BUILD_PARALLEL_LEVEL=$JOBS build/python-venv/bin/pip install -q --root-user-action=ignore --no-index \
        --no-build-isolation ./python
    build/python-venv/bin/python3 -c "import hashmatch; print(hashmatch.hash_file('demo/images/canal.jpg'))"
    # the system-wide form (README), into a scratch user site instead of the system
    PYTHONUSERBASE=$PWD/build/python-user CMAKE_BUILD_PARALLEL_LEVEL=$JOBS "$PY" -m pip install -q --root-user-action=ignore \
        --user --break-system-packages --no-index --no-build-isolation ./python
    PYTHONUSERBASE=$PWD/build/python-user "$PY" -c "import hashmatch; print(hashmatch.__version__)"
    cli=build/release/hashmatch
    HM_CLI=$([ -x "$cli" ] && echo "$PWD/$cli" || true) build/python-venv/bin/python3 -m pytest -q python/tests
fi

if has_stage wasm; then
    if command -v emcc >/dev/null; then
        stage "WebAssembly build, its results against the native tool, the page in Chromium"
        bash scripts/wasm.sh
        if [ ! -x build/release/hashmatch ]; then # the release stage was not run
            cmake -S . -B build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHM_BUILD_TESTS=ON \
                  -DCMAKE_C_FLAGS=-Werror >/dev/null
            cmake --build build/release -j"$JOBS" --target hashmatch_cli
        fi
        node tests/wasm/bitexact.mjs --module build/wasm/dist/hashmatch.mjs --cli build/release/hashmatch
        node tests/wasm/browser.mjs --site build/wasm/site --cli build/release/hashmatch
        node docs/wasm_example.mjs build/wasm/dist/hashmatch.mjs demo >build/wasm/example.out
        grep -q "^match: pdq entry 2 distance 16 category demo id bridge.jpg" build/wasm/example.out ||
            { cat build/wasm/example.out; echo "docs/wasm_example.mjs: unexpected output"; exit 1; }
    else
        stage "wasm: emcc not found (scripts/setup.sh could not install emscripten), skipped"
    fi
fi

stage "all tests passed"
