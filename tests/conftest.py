"""Test-wide settings.

Tests check behaviour, not speed, and CI machines are small (2 cores) and may be busy: an
OpenMP runtime that spin-waits (PyTorch's default) makes small tensor work many times slower
when cores are oversubscribed, so threads wait passively here. Set before torch is imported.
"""

from __future__ import annotations

import contextlib
import os
import random as _random
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


class DeadlineExceeded(BaseException):
    """Raised inside a block that ran past its deadline (a reader that hangs).

    A BaseException, so that no ``except Exception`` on the way (the CLI's boundary, a
    reader's own handler) can turn a hang into an ordinary error.
    """


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Fail a block that runs longer than ``seconds`` (SIGALRM: main thread, pure-Python loops).

    A reader that loops forever in Python code is interrupted where it spins, so a hang
    fails the test instead of hanging the suite.
    """

    def _expired(signum: int, frame: object) -> None:
        raise DeadlineExceeded(f"still running after {seconds} s (a hang)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_cli(*args: str, timeout: float = 60, cwd: str | None = None, stdin: bytes | None = None):  # type: ignore[no-untyped-def]
    """Run ``nlptk ARGS`` in a subprocess that is killed after ``timeout`` seconds.

    Returns the ``CompletedProcess`` (bytes stdout/stderr); a hang fails the test.
    """
    try:
        return subprocess.run(
            [sys.executable, "-m", "nlptk", *args],
            capture_output=True,
            timeout=timeout,
            cwd=cwd,
            input=stdin,
            env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"nlptk {' '.join(args)} still running after {timeout} s (a hang)")


@pytest.fixture
def deadline():  # type: ignore[no-untyped-def]
    """``with deadline(5): ...`` fails the test with :class:`DeadlineExceeded` after 5 s."""
    return _deadline


@pytest.fixture
def run_cli():  # type: ignore[no-untyped-def]
    """``run_cli("embed", "eval", path, timeout=30)``: the real command in a subprocess, killed on a hang."""
    return _run_cli


def _invoke_cli(*args: str, timeout: float = 30, input: str | bytes | None = None):  # type: ignore[no-untyped-def]
    """``nlptk ARGS`` in this process through typer's CliRunner, failing after ``timeout`` s."""
    from typer.testing import CliRunner

    from nlptk.cli.app import app

    with _deadline(timeout):
        return CliRunner().invoke(app, list(args), input=input)


@pytest.fixture
def invoke_cli():  # type: ignore[no-untyped-def]
    """``invoke_cli("embed", "eval", path)``: CliRunner result (``.stdout``, ``.stderr``), hang-safe."""
    return _invoke_cli


@pytest.fixture(scope="session")
def tiny_classifier_folder(tmp_path_factory):  # type: ignore[no-untyped-def]
    """A small trained classifier folder (GRU, 8 dims, 2 epochs on 60 made-up texts), built once.

    Tests that damage it must copy it first (``shutil.copytree``).
    """
    import random

    import torch

    from nlptk.classify.config import ClassifierConfig
    from nlptk.classify.training import train_classifier
    from nlptk.text.labelled import LabelledData

    rng = random.Random(0)
    filler = ["the", "film", "was", "a", "plot", "and", "story"]
    texts, labels = [], []
    for i in range(60):
        words = [*rng.choices(filler, k=4), ("great", "awful")[i % 2]]
        texts.append(" ".join(words))
        labels.append(i % 2)
    config = ClassifierConfig(
        hidden_size=8, embedding_dim=8, batch_size=16, epochs=2, freeze_epochs=0, patience=None, device="cpu"
    )
    out = tmp_path_factory.mktemp("classifier") / "model"
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        train_classifier(LabelledData(texts, labels, ["pos", "neg"]), config=config, out=out)
    finally:
        torch.set_num_threads(threads)
    return out


# -- several processes (torch.distributed on gloo) ------------------------------------------------
def free_port() -> int:
    """A TCP port nobody listens on now (for MASTER_PORT)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rank_main(target, rank: int, world_size: int, port: int, timeout_s: float, args: tuple, queue) -> None:
    """Run ``target(rank, *args)`` as one rank of a gloo job; report its result or its error."""
    os.environ.update(
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        WORLD_SIZE=str(world_size),
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        NLPTK_DIST_TIMEOUT=str(timeout_s),
        OMP_NUM_THREADS="1",
    )
    import torch

    torch.set_num_threads(1)
    try:
        queue.put((rank, "ok", target(rank, *args)))
    except BaseException as exc:  # reported to the test, which asserts on it
        queue.put((rank, "error", (type(exc).__name__, str(exc))))


def run_ranks(target, *args, world_size: int = 2, timeout_s: float = 60.0, join_s: float = 240.0) -> dict:
    """Start ``world_size`` spawned processes running ``target(rank, *args)`` under gloo.

    Returns ``{rank: ("ok", result) | ("error", (type name, message)) | ("exit", code)}``; a
    process still running after ``join_s`` seconds is killed and reported as ``("hung", None)``.
    """
    import multiprocessing
    import queue as queue_module
    import time

    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    port = free_port()
    procs = [
        context.Process(target=_rank_main, args=(target, r, world_size, port, timeout_s, args, queue))
        for r in range(world_size)
    ]
    for proc in procs:
        proc.start()
    results: dict = {}
    deadline = time.monotonic() + join_s
    while len(results) < world_size and time.monotonic() < deadline:
        try:
            rank, status, payload = queue.get(timeout=1.0)
            results[rank] = (status, payload)
        except queue_module.Empty:
            if all(not p.is_alive() for p in procs):
                break
    for rank, proc in enumerate(procs):
        proc.join(timeout=max(0.0, deadline - time.monotonic()))
        if proc.is_alive():
            proc.kill()
            proc.join()
            results.setdefault(rank, ("hung", None))
        results.setdefault(rank, ("exit", proc.exitcode))
    return results


def _make_language_model(
    words: list[str] | None = None,
    *,
    cell: str = "lstm",
    embedding_dim: int = 8,
    hidden_size: int = 12,
    **config,
):  # type: ignore[no-untyped-def]
    """A tiny untrained :class:`nlptk.lm.LanguageModel` (random weights) over ``words``.

    For tests that need an LM folder without training one: ``make_language_model().save(path)``
    (the ``make_language_model`` fixture returns this function).
    """
    import torch

    from nlptk.lm import SPECIALS, LanguageModel, LanguageModelConfig, RNNLanguageModelNet
    from nlptk.text.tokenize import RegexTokenizer
    from nlptk.text.vocab import Vocabulary

    words = words or ["the", "cat", "sat", "on", "mat", "dog", "ran"]
    vocabulary = Vocabulary(words, list(range(len(words), 0, -1)), specials=list(SPECIALS))
    settings = {"cell": cell, "hidden_size": hidden_size, "num_layers": 2, **config}
    resolved = LanguageModelConfig(**settings).resolve(
        vocab_size=len(vocabulary), embedding_dim=embedding_dim
    )
    torch.manual_seed(0)
    network = RNNLanguageModelNet(resolved, len(vocabulary))
    return LanguageModel(network, config=resolved, vocabulary=vocabulary, tokenizer=RegexTokenizer())


@pytest.fixture
def make_language_model():  # type: ignore[no-untyped-def]
    """The factory :func:`_make_language_model` (a tiny untrained language model)."""
    return _make_language_model


def toy_sentiment(n: int = 120, *, seed: int = 0, dim: int = 8):
    """Short texts whose class is given by one sentiment word, and random vectors for its words.

    Returns ``(texts, labels, vectors)``: ``labels`` are ``"pos"``/``"neg"``, alternating.
    """
    import numpy as np

    from nlptk.vectors.container import Vectors

    rng = np.random.default_rng(seed)
    positive = ["good", "great", "fine", "lovely", "superb"]
    negative = ["bad", "awful", "poor", "dull", "boring"]
    filler = ["the", "film", "was", "a", "movie", "plot", "acting", "story"]
    texts, labels = [], []
    for i in range(n):
        cls = i % 2
        words = [str(w) for w in rng.choice(filler, 4)] + [str(rng.choice(positive if cls else negative))]
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append("pos" if cls else "neg")
    words = positive + negative + filler
    vectors = Vectors(words, rng.normal(size=(len(words), dim)).astype(np.float32))
    return texts, labels, vectors


def write_csv(path, texts, labels) -> None:
    """Write texts and their labels as a ``text,label`` CSV file."""
    import csv

    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "label"])
        writer.writerows(zip(texts, labels, strict=True))


# -- topic models --------------------------------------------------------------------------
FRUIT = ("apple", "banana", "cherry", "grape", "mango", "peach", "pear", "plum")
MACHINE = ("engine", "wheel", "brake", "gear", "piston", "clutch", "tire", "axle")


def _two_topic_texts(n_per_topic: int = 30, length: int = 20, seed: int = 0) -> list[str]:
    rng = _random.Random(seed)
    texts = []
    for i in range(2 * n_per_topic):
        words = FRUIT if i % 2 == 0 else MACHINE
        texts.append(" ".join(rng.choice(words) for _ in range(length)))
    return texts


@pytest.fixture(scope="session")
def two_topic_texts() -> list[str]:
    """60 texts alternating between two vocabularies that share no word (fruit, machine parts)."""
    return _two_topic_texts()


@pytest.fixture(scope="session")
def two_topic_corpus(tmp_path_factory, two_topic_texts) -> str:
    """The same texts as a one-document-per-line file."""
    path = tmp_path_factory.mktemp("two_topics") / "docs.txt"
    path.write_text("\n".join(two_topic_texts) + "\n", encoding="utf-8")
    return str(path)


# -- shared data factories ----------------------------------------------------------------------

#: Words that decide a toy sentiment class, and neutral filler.
SENTIMENT_WORDS = {
    "neg": ["bad", "awful", "terrible", "boring"],
    "pos": ["good", "great", "excellent", "wonderful"],
}
FILLER_WORDS = ["the", "film", "was", "a", "movie", "and", "it", "really", "plot", "acting", "story", "this"]


def keyword_texts(
    n: int,
    seed: int,
    *,
    keywords: dict[str, list[str]] | None = None,
    filler: list[str] | None = None,
    length: tuple[int, int] = (2, 8),
    suffix: str = "",
) -> tuple[list[str], list[str]]:
    """``n`` texts of ``length`` filler words plus one keyword that decides the class.

    Classes take turns in the order of ``keywords`` (default :data:`SENTIMENT_WORDS`), so the
    data are balanced; a seed gives the same texts every time. Returns ``(texts, labels)``.
    """
    import random

    keywords = keywords or SENTIMENT_WORDS
    filler = filler or FILLER_WORDS
    names = list(keywords)
    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        label = names[i % len(names)]
        words = [*rng.choices(filler, k=rng.randint(*length)), rng.choice(keywords[label])]
        rng.shuffle(words)
        texts.append(" ".join(words) + suffix)
        labels.append(label)
    return texts, labels


def keyword_data(n: int, seed: int, *, classes: list[str] | None = None, **options):  # type: ignore[no-untyped-def]
    """:func:`keyword_texts` as :class:`~nlptk.text.labelled.LabelledData` (class ids in
    ``keywords`` order; ``classes`` renames them)."""
    from nlptk.text.labelled import LabelledData

    keywords = options.get("keywords") or SENTIMENT_WORDS
    names = list(keywords)
    texts, labels = keyword_texts(n, seed, **options)
    return LabelledData(texts, [names.index(label) for label in labels], classes or names, source="synthetic")


def small_config(**changes):  # type: ignore[no-untyped-def]
    """A small, fast, seeded CPU :class:`~nlptk.classify.config.ClassifierConfig` for tests
    (12-unit layers, batches of 16, 4 epochs, no freezing, no early stopping); ``changes``
    override any field."""
    from nlptk.classify.config import ClassifierConfig

    base = dict(
        hidden_size=12,
        embedding_dim=12,
        batch_size=16,
        lr=3e-2,
        epochs=4,
        freeze_epochs=0,
        patience=None,
        device="cpu",
        seed=0,
    )
    return ClassifierConfig(**{**base, **changes})


@pytest.fixture()
def one_thread():  # type: ignore[no-untyped-def]
    """Run the test on one torch thread (tiny models: more threads only thrash a shared machine);
    a module opts in with ``pytestmark = pytest.mark.usefixtures("one_thread")``."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
