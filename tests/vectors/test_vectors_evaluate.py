"""Evaluation on word pairs and analogies: scores, coverage, sections, bad benchmark files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gensim.test.utils import datapath

from nlptk.errors import DataError, FormatError
from nlptk.vectors import Vectors, evaluate_analogies, evaluate_pairs, evaluate_vectors, load_vectors


@pytest.fixture(scope="module")
def lee() -> Vectors:
    return load_vectors(datapath("lee_fasttext.vec"))


def test_defaults_are_the_files_gensim_ships(lee: Vectors) -> None:
    report = evaluate_vectors(lee)
    assert report["vectors"] == {"n_words": 1762, "dim": 10}
    ws, sl, an = report["wordsim"], report["simlex"], report["analogies"]
    assert Path(ws["file"]).name == "wordsim353.tsv" and ws["pairs"] == 353
    assert Path(sl["file"]).name == "simlex999.txt" and sl["pairs"] == 999
    assert Path(an["file"]).name == "questions-words.txt" and an["questions"] == 19544
    # coverage: what these 1,762-word vectors can score (counted independently below)
    assert (ws["scored"], sl["scored"], an["scored"]) == (45, 82, 98)
    assert ws["coverage"] == pytest.approx(45 / 353)
    assert an["semantic"]["questions"] + an["syntactic"]["questions"] == 19544
    assert an["semantic"]["questions"] == 8869  # the five non-"gram" sections
    assert an["semantic"]["scored"] + an["syntactic"]["scored"] == an["scored"]
    assert an["correct"] == an["semantic"]["correct"] + an["syntactic"]["correct"]
    assert an["accuracy"] == pytest.approx(an["correct"] / an["scored"])
    assert len(an["sections"]) == 14
    # the scores agree with gensim's own word-pair evaluation of the same vectors (another implementation)
    for r, name in ((ws, "wordsim353.tsv"), (sl, "simlex999.txt")):
        pearson, spearman, _ = lee.to_gensim().evaluate_word_pairs(datapath(name))
        assert r["pearson"] == pytest.approx(pearson.statistic)
        assert r["spearman"] == pytest.approx(spearman.statistic)
        assert r["spearman_p"] == pytest.approx(spearman.pvalue)


def test_coverage_counts_match_a_direct_count(lee: Vectors) -> None:
    known = {w.upper() for w in lee.words}
    pairs = [
        line.split("\t")
        for line in Path(datapath("wordsim353.tsv")).read_text().splitlines()
        if line and not line.startswith("#")
    ]
    expected = sum(a.upper() in known and b.upper() in known for a, b, _ in pairs)
    assert evaluate_pairs(lee, datapath("wordsim353.tsv"))["scored"] == expected


def test_good_vectors_score_high_and_bad_ones_do_not(tmp_path: Path) -> None:
    """Vectors built to agree with a pair file give Spearman 1; random ones do not."""
    words = [f"w{i}" for i in range(6)]
    angles = np.linspace(0, np.pi / 2, 6)
    good = Vectors(words, np.stack([np.cos(angles), np.sin(angles)], axis=1).astype(np.float32))
    pairs = tmp_path / "pairs.tsv"
    # similarity to w0 falls as the index grows; one pair has an unknown word
    lines = [f"w0\tw{i}\t{10 - i}" for i in range(1, 6)] + ["w0\tunknown\t5"]
    pairs.write_text("# my pairs\n" + "\n".join(lines) + "\n")
    result = evaluate_pairs(good, pairs)
    assert (result["pairs"], result["scored"]) == (6, 5)
    assert result["spearman"] == pytest.approx(1.0)
    shuffled = Vectors(words, good.vectors[[0, 5, 2, 4, 1, 3]])
    assert evaluate_pairs(shuffled, pairs)["spearman"] < 0.5


def test_analogies_on_built_vectors(tmp_path: Path) -> None:
    words = ["man", "woman", "king", "queen", "boy", "girl", "big", "bigger", "small", "smaller"]
    rng = np.random.default_rng(0)
    base = {w: rng.standard_normal(20) for w in ["man", "king", "boy", "big", "small"]}
    female, comparative = rng.standard_normal(20) * 3, rng.standard_normal(20) * 3
    rows = {
        **base,
        "woman": base["man"] + female,
        "queen": base["king"] + female,
        "girl": base["boy"] + female,
    }
    rows.update(bigger=base["big"] + comparative, smaller=base["small"] + comparative)
    vectors = Vectors(words, np.stack([rows[w] for w in words]).astype(np.float32))
    path = tmp_path / "q.txt"
    path.write_text(
        ": family\nman woman king queen\nman woman boy girl\nman woman prince princess\n"
        ": gram3-comparative\nbig bigger small smaller\n"
    )
    result = evaluate_analogies(vectors, path)
    assert (result["questions"], result["scored"], result["correct"]) == (4, 3, 3)
    assert result["accuracy"] == 1.0
    assert result["semantic"] == {
        "questions": 3,
        "scored": 2,
        "coverage": 2 / 3,
        "correct": 2,
        "accuracy": 1.0,
    }
    assert result["syntactic"]["correct"] == 1
    assert [s["section"] for s in result["sections"]] == ["family", "gram3-comparative"]


def test_skip_and_restrict_vocab(lee: Vectors) -> None:
    report = evaluate_vectors(lee, simlex=False, analogies=False, restrict_vocab=100)
    assert set(report) == {"vectors", "wordsim"}
    assert report["wordsim"]["scored"] < 45


def test_no_coverage_gives_no_score(tmp_path: Path) -> None:
    v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    result = evaluate_pairs(v, datapath("wordsim353.tsv"))
    assert result["scored"] == 0 and result["spearman"] is None
    analogies = evaluate_analogies(v, datapath("questions-words.txt"))
    assert analogies["scored"] == 0 and analogies["accuracy"] is None


def test_malformed_benchmark_files_name_the_line(tmp_path: Path) -> None:
    v = Vectors(["a", "b"], np.eye(2, dtype=np.float32))
    bad_pairs = tmp_path / "p.tsv"
    bad_pairs.write_text("a\tb\t1\na b 2\n")
    with pytest.raises(FormatError) as info:
        evaluate_pairs(v, bad_pairs)
    assert info.value.line == 2 and "tab-separated" in str(info.value)
    bad_score = tmp_path / "s.tsv"
    bad_score.write_text("a\tb\thigh\n")
    with pytest.raises(FormatError, match="'high' is not a number"):
        evaluate_pairs(v, bad_score)
    bad_q = tmp_path / "q.txt"
    bad_q.write_text(": s\na b c d\na b c\n")
    with pytest.raises(FormatError) as info:
        evaluate_analogies(v, bad_q)
    assert info.value.line == 3
    empty = tmp_path / "e.tsv"
    empty.write_text("# only a comment\n")
    with pytest.raises(DataError):
        evaluate_pairs(v, empty)
