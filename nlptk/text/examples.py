"""A labelled example dataset made from a corpus that gensim ships: news sentences by topic.

The only labelled text gensim ships, ``pang_lee_polarity`` (200 movie-review sentences), is too
small for a recurrent classifier to learn anything: on a 20-sentence validation set it stays
at chance. :func:`make_topic_dataset` turns ``lee_background`` (300 ABC news articles, the
corpus the README's vectors are trained on) into about 1,200 sentences in six topics, enough
for a classifier to learn visibly in seconds on a CPU.

How the labels are made, so that nobody mistakes them for human annotation:

* an article gets a topic when words of that topic (:data:`TOPIC_WORDS`) occur in it at least
  twice and no other topic's words do; the others (about 60%) are left out;
* every sentence of a labelled article gets its article's topic, so most sentences must be
  classified from words that are not in the keyword lists;
* whole articles go to ``test.csv`` (every ``test_every``-th article of each topic), so the
  test sentences come from articles the classifier never saw in training (the corpus repeats
  a few stories: test sentences that also occur in a training article are left out).
"""

from __future__ import annotations

import csv
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nlptk.io import atomic_directory

__all__ = ["TOPIC_WORDS", "TopicDataset", "make_topic_dataset"]

PathLike = str | os.PathLike[str]

#: The words that decide an article's topic (whole words, lowercased).
TOPIC_WORDS: dict[str, tuple[str, ...]] = {
    "bushfires": ("bushfire", "bushfires", "fire", "fires", "firefighters", "blaze", "blazes"),
    "middle-east": ("israel", "israeli", "palestinian", "palestinians", "arafat", "hamas", "gaza"),
    "afghanistan": ("afghanistan", "taliban", "laden", "qaeda", "kabul"),
    "industrial": ("qantas", "union", "unions", "industrial"),
    "cricket": ("cricket", "wicket", "wickets", "batting", "bowler", "bowlers"),
    "economy": ("economy", "dollar", "shares", "market", "interest"),
}

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'])")
_WORD = re.compile(r"[a-z]+")


@dataclass(frozen=True)
class TopicDataset:
    """What :func:`make_topic_dataset` wrote.

    Attributes
    ----------
    path : Path
        The folder, holding ``train.csv`` and ``test.csv`` (columns ``text``, ``label``).
    articles : int
        Articles labelled (of all those in the corpus).
    train, test : dict
        Sentences per topic in each file.
    """

    path: Path
    articles: int
    train: dict[str, int] = field(default_factory=dict)
    test: dict[str, int] = field(default_factory=dict)


def _topic(article: str) -> str | None:
    counts = Counter(_WORD.findall(article.lower()))
    hits = [name for name, words in TOPIC_WORDS.items() if sum(counts[w] for w in words) >= 2]
    return hits[0] if len(hits) == 1 else None


def _sentences(article: str, min_words: int) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(article) if len(s.split()) >= min_words]


def make_topic_dataset(
    out: PathLike,
    *,
    corpus: PathLike = "lee_background",
    test_every: int = 5,
    min_words: int = 4,
    force: bool = False,
) -> TopicDataset:
    """Write news sentences labelled with their article's topic, split by article.

    Parameters
    ----------
    out : path
        Folder to write (atomically): ``train.csv`` and ``test.csv``, columns ``text,label``.
    corpus : path or registry name, default="lee_background"
        One article per line.
    test_every : int, default=5
        Every ``test_every``-th labelled article of each topic goes to the test file.
    min_words : int, default=4
        Shorter sentences (headings, fragments) are left out.
    force : bool, default=False
        Replace an existing ``out``.

    Returns
    -------
    TopicDataset

    Examples
    --------
    >>> import tempfile, pathlib
    >>> data = make_topic_dataset(pathlib.Path(tempfile.mkdtemp()) / "topics")
    >>> sorted(data.train) == sorted(TOPIC_WORDS), sum(data.train.values()) > 900
    (True, True)
    """
    from nlptk.params import check_int
    from nlptk.text.corpus import open_corpus

    check_int("test_every", test_every, min=2)
    check_int("min_words", min_words, min=1)
    seen: Counter[str] = Counter()
    rows: dict[str, list[tuple[str, str]]] = {"train": [], "test": []}
    for article in open_corpus(corpus):
        topic = _topic(article)
        if topic is None:
            continue
        seen[topic] += 1
        split = "test" if seen[topic] % test_every == 0 else "train"
        rows[split].extend((sentence, topic) for sentence in _sentences(article, min_words))
    # lee_background repeats some stories: a test sentence also in training would not be held out
    in_train = {text for text, _ in rows["train"]}
    rows["test"] = [row for row in dict.fromkeys(rows["test"]) if row[0] not in in_train]
    with atomic_directory(out, force=force) as folder:
        for split, records in rows.items():
            with open(folder / f"{split}.csv", "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(["text", "label"])
                writer.writerows(records)
    counts = {
        split: dict(sorted(Counter(label for _, label in records).items())) for split, records in rows.items()
    }
    return TopicDataset(Path(out), sum(seen.values()), counts["train"], counts["test"])
