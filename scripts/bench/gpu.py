"""Every GPU figure nlptk needs, from one run: the first thing to run when a GPU is lent.

GPU time is scarce (a session may get 15 minutes of it, all tries together), so this script
runs each check as a child process with its own time limit, keeps going when one fails, and
writes ONE JSON object (``--out``, and stdout) with what each step measured:

1. ``env``: the GPU, driver, torch and CUDA versions;
2. ``pytest_gpu``: ``pytest -m gpu`` (GloVe CPU vs CUDA from one seed, classifier AMP and
   packed sequences on CUDA), pass/fail counts;
3. ``glove``: ``scripts/bench/glove.py`` on the Wikipedia slice with Stanford's demo settings
   on CUDA (counting stays on the CPU), with its ratios to the Stanford C tool on 2 cores
   (target: >= 20x faster end to end);
4. ``classify``: nlptk's BiLSTM from random initialisation on SST-2 (whitespace tokens: the
   GPU image has no spaCy), on CUDA (AMP, packed sequences) and on 2 CPU threads of the same
   machine: seconds per epoch and prediction sentences/s, and their ratios (target: training
   >= 20x the CPU);
5. ``lm``: language-model training tokens/s on CUDA (and on 2 CPU threads) through
   ``nlptk.train_language_model`` with a token budget, when ``nlptk.lm`` exists.

``--dry-run`` runs the same plumbing on tiny inputs on the CPU (gensim's shipped
``lee_background`` for GloVe, 200 SST-2 sentences, a tiny LM budget) in about a minute, so
CI proves the script works before a GPU ever sees it.

Usage::

    bash scripts/bench/gpu.sh                     # on the GPU machine: writes gpu.json
    bash scripts/bench/gpu.sh --dry-run           # anywhere: the same steps, tiny, on CPU
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: ``gpu.sh --prepare`` copies what the GPU machine needs here (it sees only the repository).
PREPARED = ROOT / ".gpu"


def _shared() -> Path:
    for candidate in (os.environ.get("NLPTK_SHARED"), ROOT.parent / "shared", "/work/shared"):
        if candidate and (Path(candidate) / "data").is_dir():
            return Path(candidate)
    return ROOT.parent / "shared"


if (PREPARED / "enwiki.txt.xz").is_file():
    ENWIKI = PREPARED / "enwiki.txt.xz"
    CLASSIFICATION = PREPARED / "classification"
else:
    ENWIKI = _shared() / "data" / "corpora" / "enwiki_wikiextractor_100M.txt.gz"
    CLASSIFICATION = _shared() / "data" / "classification"


def _run(cmd: list[str], timeout: float, env: dict[str, str] | None = None) -> dict[str, Any]:
    """Run one step; its stdout's last JSON object (if any), exit code, seconds and stderr tail."""
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
            check=False,
        )
        out, err, code = proc.stdout, proc.stderr, proc.returncode
    except FileNotFoundError as exc:
        out, err, code = "", str(exc), 127
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        err = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")) + "\n[timed out]"
        code = 124
    record: dict[str, Any] = {
        "cmd": " ".join(cmd),
        "returncode": code,
        "seconds": round(time.perf_counter() - started, 1),
    }
    result = _last_json(out)
    if result is not None:
        record["result"] = result
    else:
        record["stdout_tail"] = out[-2000:]
    if code != 0:
        record["stderr_tail"] = err[-3000:]
    return record


def _last_json(text: str) -> Any:
    """The JSON object a benchmark printed (the whole stdout, or its last line that parses)."""
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    start = text.rfind("\n{")
    candidates = [text[start + 1 :]] if start >= 0 else []
    candidates += [line for line in reversed(text.splitlines()) if line.startswith("{")]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    return None


def env_step() -> dict[str, Any]:
    code = (
        "import json, torch; print(json.dumps({'torch': torch.__version__, 'cuda': torch.version.cuda, "
        "'available': torch.cuda.is_available(), 'devices': [torch.cuda.get_device_name(i) "
        "for i in range(torch.cuda.device_count())], 'cpus': __import__('os').cpu_count()}))"
    )
    record = _run([sys.executable, "-c", code], timeout=120)
    smi = _run(["nvidia-smi", "--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"], 60)
    record["nvidia_smi"] = (smi.get("stdout_tail", "") or smi.get("stderr_tail", "")).strip()
    return record


def pytest_step(dry_run: bool) -> dict[str, Any]:
    marker = "not gpu" if dry_run else "gpu"
    target = ["tests/test_params.py"] if dry_run else ["tests"]
    record = _run(
        [sys.executable, "-m", "pytest", "-q", "-m", marker, "-p", "no:cacheprovider", *target], 600
    )
    tail = record.get("stdout_tail", "")
    counts = dict((kind, int(n)) for n, kind in re.findall(r"(\d+) (passed|failed|skipped|errors?)", tail))
    record["counts"] = counts
    return record


def glove_step(dry_run: bool, device: str) -> dict[str, Any]:
    if dry_run:
        from gensim.test.utils import datapath

        corpus = datapath("lee_background.cor")
        args = ["--epochs", "2", "--dim", "10", "--min-count", "2", "--threads", "1"]
    else:
        corpus = str(ENWIKI)
        args = ["--threads", str(os.cpu_count() or 2)]
    cmd = [sys.executable, "scripts/bench/glove.py", corpus, "--device", device, *args]
    return _run(cmd, timeout=120 if dry_run else 420)


def classify_step(dry_run: bool, device: str, threads: int) -> dict[str, Any]:
    """BiLSTM (random start, whitespace tokens) on SST-2: training seconds per epoch and prediction
    sentences/s. nlptk's own loop, no spaCy or fastText (the GPU image lacks them)."""
    n_train = 200 if dry_run else 0
    epochs = 1 if dry_run else 3
    code = f"""
import json, time, torch
torch.set_num_threads({threads})
from nlptk.classify import ClassifierConfig, train_classifier
from nlptk.text.labelled import load_labelled, train_val_split
root = {str(CLASSIFICATION / "sst2")!r}
train = load_labelled(root + "/stsa.binary.train", format="label-first")
val = load_labelled(root + "/stsa.binary.dev", format="label-first")
test = load_labelled(root + "/stsa.binary.test", format="label-first")
if {n_train}:
    train, _ = train_val_split(train, val_size=len(train) - {n_train}, seed=0)
    val, test = val.subset(range(100)), test.subset(range(300))
config = ClassifierConfig(cell="lstm", epochs={epochs}, freeze_epochs=0, patience=None, device={device!r},
                          embedding_dim=100, tokenizer={{"name": "whitespace", "lowercase": True}})
started = time.perf_counter()
clf = train_classifier(train, val=val, config=config)
train_seconds = time.perf_counter() - started
texts = list(test.texts) * (1 if {dry_run!r} else 10)
clf.predict_proba(texts[:512])
started = time.perf_counter()
clf.predict_proba(texts, batch_size=512)
predict_seconds = time.perf_counter() - started
scores = clf.score(test)
print(json.dumps({{
    "device": {device!r}, "threads": {threads}, "train_sentences": len(train), "epochs": {epochs},
    "train_seconds": train_seconds, "seconds_per_epoch": train_seconds / {epochs},
    "predict_sentences_per_s": len(texts) / predict_seconds, "test_accuracy": scores["accuracy"],
}}))
"""
    return _run([sys.executable, "-c", code], timeout=180 if dry_run else 300)


def lm_step(dry_run: bool, device: str, threads: int) -> dict[str, Any]:
    budget = 20_000 if dry_run else 3_000_000
    code = f"""
import json, os, tempfile, time, gzip, lzma, itertools, torch
torch.set_num_threads({threads})
import nlptk
from nlptk.lm.training import train_language_model
src = {str(ENWIKI)!r}
work = tempfile.mkdtemp()
corpus = os.path.join(work, "slice.txt")
if {dry_run!r} or not os.path.exists(src):
    from gensim.test.utils import datapath
    text = open(datapath("lee_background.cor"), encoding="utf-8").read()
    open(corpus, "w", encoding="utf-8").write(text)
else:
    opener = lzma.open if src.endswith(".xz") else gzip.open
    with opener(src, "rt", encoding="utf-8") as fh, open(corpus, "w", encoding="utf-8") as out:
        lines = (l for l in fh if not l.startswith(("<doc ", "</doc>")))
        for line in itertools.islice(lines, 120000):
            out.write(line)
started = time.perf_counter()
lm = train_language_model(corpus, out=os.path.join(work, "lm"), device={device!r}, max_tokens={budget},
                          cache_dir=os.path.join(work, "cache"), hidden_size={64 if dry_run else 512},
                          num_layers=1, epochs=1)
meta = lm.meta if hasattr(lm, "meta") else {{}}
seconds = meta.get("train_seconds") or 1e-9
print(json.dumps({{
    "device": {device!r}, "threads": {threads}, "wall_seconds": time.perf_counter() - started,
    "tokens_seen": meta.get("tokens_seen"), "train_seconds": meta.get("train_seconds"),
    "tokens_per_s": (meta.get("tokens_seen") or 0) / seconds,
    "val_perplexity": meta.get("best_val_perplexity"),
}}))
"""
    return _run([sys.executable, "-c", code], timeout=120 if dry_run else 240)


def _ratio(numerator: Any, denominator: Any) -> float | None:
    try:
        return round(float(numerator) / float(denominator), 2)
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dry-run", action="store_true", help="tiny inputs on the CPU (CI)")
    parser.add_argument("--out", type=Path, default=None, help="write the JSON here too")
    parser.add_argument(
        "--steps", nargs="+", default=["env", "pytest", "glove", "classify", "lm"], help="steps to run"
    )
    args = parser.parse_args(argv)
    device = "cpu" if args.dry_run else "cuda"
    report: dict[str, Any] = {"dry_run": args.dry_run, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ")}
    started = time.perf_counter()
    if "env" in args.steps:
        report["env"] = env_step()
    if "pytest" in args.steps:
        report["pytest_gpu"] = pytest_step(args.dry_run)
    if "glove" in args.steps:
        report["glove"] = glove_step(args.dry_run, device)
    if "classify" in args.steps:
        # the dry run uses 1 thread: on a busy 2-core CI machine 2 threads can be 20x slower
        gpu = classify_step(args.dry_run, device, threads=1 if args.dry_run else 2)
        cpu = classify_step(args.dry_run, "cpu", threads=2) if not args.dry_run else gpu
        report["classify"] = {"device": gpu, "cpu_2_threads": cpu}
        if not args.dry_run:
            report["classify"]["train_speedup"] = _ratio(
                cpu.get("result", {}).get("seconds_per_epoch"), gpu.get("result", {}).get("seconds_per_epoch")
            )
            report["classify"]["predict_speedup"] = _ratio(
                gpu.get("result", {}).get("predict_sentences_per_s"),
                cpu.get("result", {}).get("predict_sentences_per_s"),
            )
    if "lm" in args.steps:
        import importlib.util

        if importlib.util.find_spec("nlptk.lm") is None:
            report["lm"] = {"skipped": "nlptk.lm is not installed in this tree"}
        else:
            report["lm"] = {"device": lm_step(args.dry_run, device, threads=1 if args.dry_run else 2)}
            if not args.dry_run:
                report["lm"]["cpu_2_threads"] = lm_step(False, "cpu", threads=2)
            report["lm"]["speedup"] = _ratio(
                report["lm"]["device"].get("result", {}).get("tokens_per_s"),
                report["lm"].get("cpu_2_threads", {}).get("result", {}).get("tokens_per_s"),
            )
    report["seconds"] = round(time.perf_counter() - started, 1)
    failed = [
        f"{name}.{sub}" if sub else name
        for name, step in report.items()
        if isinstance(step, dict)
        for sub, record in ([("", step)] + [(k, v) for k, v in step.items() if isinstance(v, dict)])
        if record.get("returncode")
    ]
    report["failed_steps"] = failed
    text = json.dumps(report, indent=2, default=str)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(args.out.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, args.out)
    print(text)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
