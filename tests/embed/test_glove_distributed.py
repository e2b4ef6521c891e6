"""GloVe across processes: sharded counting equals one process exactly; data-parallel training.

The counting pieces are checked in one process first (every "rank" counted in turn, the
entries merged by owner as the exchange does), then two real gloo processes run the whole
thing (marked slow: spawning costs tens of seconds on a busy 2-core machine).
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import run_ranks
from gensim.test.utils import datapath

from nlptk.distributed import LOCAL, init_distributed
from nlptk.embed.glove import cooccur, fit_glove, train_glove
from nlptk.embed.glove.cooccur import count_cooccurrences, minimum_memory_gb
from nlptk.embed.glove.distributed import (
    _split_by_owner,
    _sum_by_key,
    count_cooccurrences_sharded,
    fit_glove_distributed,
    gather_matrix,
    line_ranges,
)
from nlptk.errors import ParameterError

#: The 2-rank GloVe loss may exceed the single-process loss by this factor after the same epochs.
LOSS_TOLERANCE = 1.15


def write_lee(path: Path, n: int = 150, long_first: bool = False) -> Path:
    with open(datapath("lee_background.cor"), encoding="utf-8") as handle:
        lines = [
            " ".join(re.findall(r"[a-z]+", line.lower())) for _, line in zip(range(n), handle, strict=False)
        ]
    if long_first:  # one long document, so that counting blocks cut inside a line
        lines = [" ".join(lines[:30]), *lines[30:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def simulated_ranks(path: Path, world: int, *, window: int, min_count: int, symmetric: bool = True):
    """What the ranks compute, one after the other in this process: the owners' merged rows."""
    vocab = cooccur._count_vocabulary(path, min_count=min_count, max_vocab=None)
    index = cooccur._word_index(vocab.words)
    block_bytes, total = cooccur._block_plan(vocab, window, 1.0)
    outgoing = []
    for start, end in line_ranges(path, world):
        left, _, scale = cooccur._count_left(path, index, window=window, memory=1.0, block_bytes=block_bytes,
                                             total_blocks=total, start=start, end=end)  # fmt: skip
        coo = cooccur._symmetric_values(left, symmetric)
        outgoing.append(_split_by_owner(coo.row, coo.col, coo.data, len(vocab.words), world))
    owned = [_sum_by_key([parts[o] for parts in outgoing], len(vocab.words), np.int64) for o in range(world)]
    rows = np.concatenate([o[0] for o in owned])
    cols = np.concatenate([o[1] for o in owned])
    values = cooccur._as_weights(np.concatenate([o[2] for o in owned]), scale)
    order = np.argsort(rows.astype(np.int64) * len(vocab.words) + cols)
    return rows[order], cols[order], values[order]


def test_line_ranges_cover_the_file_and_start_lines(tmp_path) -> None:
    path = write_lee(tmp_path / "t.txt", 40)
    data = path.read_bytes()
    for world in (1, 2, 3, 7):
        ranges = line_ranges(path, world)
        assert ranges[0][0] == 0 and ranges[-1][1] == len(data)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(ranges))
        assert all(start == 0 or data[start - 1 : start] == b"\n" for start, _ in ranges)
    assert line_ranges(path, 100)[-1][1] == len(data)  # more parts than lines: some are empty


@pytest.mark.parametrize(("world", "window", "symmetric"), [(2, 6, True), (3, 15, True), (2, 5, False)])
def test_sharded_counting_equals_one_process_exactly(tmp_path, monkeypatch, world, window, symmetric) -> None:
    path = write_lee(tmp_path / "t.txt", long_first=True)
    monkeypatch.setattr(cooccur, "_MIN_BLOCK_BYTES", 1)  # many small blocks per rank as well
    monkeypatch.setattr(cooccur, "MIN_CHUNK_TOKENS", 64)
    single = count_cooccurrences(path, window=window, min_count=2, symmetric=symmetric,
                                 memory=minimum_memory_gb(window))  # fmt: skip
    rows, cols, values = simulated_ranks(path, world, window=window, min_count=2, symmetric=symmetric)
    assert np.array_equal(rows, single.rows) and np.array_equal(cols, single.cols)
    assert np.array_equal(values, single.values)  # bit for bit: integer sums


def test_block_size_no_longer_changes_a_single_bit(tmp_path, monkeypatch) -> None:
    path = write_lee(tmp_path / "t.txt", long_first=True)
    whole = count_cooccurrences(path, window=15, min_count=2)
    monkeypatch.setattr(cooccur, "_MIN_BLOCK_BYTES", 1)
    monkeypatch.setattr(cooccur, "MIN_CHUNK_TOKENS", 50)
    blocks = count_cooccurrences(path, window=15, min_count=2, memory=minimum_memory_gb(15))
    assert np.array_equal(whole.values, blocks.values)


def test_one_process_context_counts_and_trains_like_one_process(tmp_path) -> None:
    path = write_lee(tmp_path / "t.txt", 60)
    single = count_cooccurrences(path, window=5, min_count=2)
    shard = count_cooccurrences_sharded(path, LOCAL, window=5, min_count=2)
    assert np.array_equal(shard.values, single.values) and shard.words == single.words
    fit = fit_glove_distributed(shard, LOCAL, dim=8, epochs=3)
    assert fit.word_vectors.shape == (single.n_words, 8) and fit.losses[-1] < fit.losses[0]


def test_compressed_tokens_file_is_refused(tmp_path) -> None:
    import gzip

    path = tmp_path / "t.txt.gz"
    path.write_bytes(gzip.compress(b"a b c\n"))
    with pytest.raises(ParameterError, match="compressed"):
        count_cooccurrences_sharded(path, LOCAL, window=2, min_count=1)


def _glove_ranks(rank: int, folder: str) -> dict:
    path = Path(folder) / "lee.txt"
    ctx = init_distributed("cpu")
    shard = count_cooccurrences_sharded(path, ctx, window=8, min_count=2)
    full = gather_matrix(shard, ctx)
    fit = fit_glove_distributed(shard, ctx, dim=16, epochs=6, seed=1)
    vectors = train_glove(path, dim=8, window=5, min_count=2, epochs=2, device="cpu")
    return {
        "owned_rows": sorted(set((shard.rows % 2).tolist())),
        "full": None if full is None else (full.rows, full.cols, full.values, full.words),
        "losses": fit.losses,
        "word_vectors": fit.word_vectors,
        "train_glove": (vectors.meta["distributed"], vectors.vectors.shape),
    }


@pytest.mark.slow  # two spawned processes: 30-60 s on a busy 2-core machine
def test_two_ranks_count_exactly_and_train(tmp_path) -> None:
    path = write_lee(tmp_path / "lee.txt", 300)
    results = run_ranks(_glove_ranks, str(tmp_path), world_size=2, timeout_s=60)
    assert all(results[r][0] == "ok" for r in (0, 1)), results
    zero, one = results[0][1], results[1][1]
    assert zero["owned_rows"] == [0] and one["owned_rows"] == [1]  # each rank owns its rows
    single = count_cooccurrences(path, window=8, min_count=2)
    rows, cols, values, words = zero["full"]
    assert words == single.words
    assert np.array_equal(rows, single.rows) and np.array_equal(cols, single.cols)
    assert np.array_equal(values, single.values)
    assert one["full"] is None
    # training: the same vectors on both ranks, a falling loss close to one process's
    assert np.array_equal(zero["word_vectors"], one["word_vectors"])
    assert zero["losses"] == one["losses"]
    assert zero["losses"][-1] < zero["losses"][0]
    reference = fit_glove(single, dim=16, epochs=6, seed=1, device="cpu", threads=1)
    assert zero["losses"][-1] <= reference.losses[-1] * LOSS_TOLERANCE
    assert zero["train_glove"] == ({"world_size": 2, "backend": "gloo"}, (len(single.words), 8))


def test_word2vec_under_torchrun_is_refused(tmp_path, monkeypatch) -> None:
    from nlptk.embed.pipeline import train_embeddings

    monkeypatch.setenv("WORLD_SIZE", "2")
    path = write_lee(tmp_path / "t.txt", 20)
    with pytest.raises(ParameterError, match="word2vec trains on one machine") as info:
        train_embeddings(path, "word2vec", cache_dir=tmp_path / "cache")
    assert "only --method glove runs under torchrun" in str(info.value)
