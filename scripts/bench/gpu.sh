#!/usr/bin/env bash
# The one GPU script (see scripts/bench/gpu.py): every GPU figure in one run, one JSON.
#
# The GPU machine sees only the repository, and its image lacks gensim and smart_open. So, here,
# once (about 5 minutes: it recompresses the Wikipedia slice with xz to fit the 64 MiB carried):
#     bash scripts/bench/gpu.sh --prepare          # -> .gpu/ (git-ignored): wheels + data
# then on the GPU machine, carrying .gpu:
#     bash scripts/bench/gpu.sh                    # writes $OUT/gpu.json (about 8 minutes)
# Anywhere, the same steps on tiny inputs on the CPU (CI runs this):
#     bash scripts/bench/gpu.sh --dry-run
set -euo pipefail
cd "$(dirname "$0")/../.."

if [[ "${1:-}" == "--prepare" ]]; then
    shared="${NLPTK_SHARED:-../shared}"
    mkdir -p .gpu/whl .gpu/classification
    for spec in "gensim==4.4.0" "smart_open"; do
        python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
            --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
            -d .gpu/whl "$spec"
    done
    cp -r "$shared/data/classification/sst2" .gpu/classification/
    [[ -f .gpu/enwiki.txt.xz ]] || gzip -dc "$shared/data/corpora/enwiki_wikiextractor_100M.txt.gz" \
        | xz -9e -T2 > .gpu/enwiki.txt.xz.tmp && mv .gpu/enwiki.txt.xz.tmp .gpu/enwiki.txt.xz
    du -sh .gpu
    exit 0
fi

if [[ -d .gpu/whl ]] && ! python3 -c "import gensim" 2>/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .gpu/whl/*.whl
    export PYTHONPATH="/tmp/site${PYTHONPATH:+:$PYTHONPATH}"
fi
python3 -c "import nlptk" 2>/dev/null || export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

if [[ "${1:-}" == "--dry-run" ]]; then
    out="${OUT:-$(mktemp -d)}/gpu-dry-run.json"
else
    out="${OUT:-.}/gpu.json"
fi
exec python3 scripts/bench/gpu.py --out "$out" "$@"
