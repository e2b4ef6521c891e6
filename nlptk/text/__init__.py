"""Text and corpora: tokenizers, streaming corpora, labelled data, vocabulary, the corpus registry.

Examples
--------
>>> from nlptk.text import open_corpus, TokenizedCorpus, Vocabulary
>>> vocab = Vocabulary.build(TokenizedCorpus(open_corpus("lee_background")), min_count=5)
>>> vocab.words[:3]
['the', 'to', 'of']
"""

from __future__ import annotations

from nlptk._deprecated import renamed_names
from nlptk.text.corpus import (
    ColumnCorpus,
    Corpus,
    DirectoryCorpus,
    TextLineCorpus,
    TokenizedCorpus,
    ensure_reiterable,
    iter_table_rows,
    open_corpus,
)
from nlptk.text.labelled import (
    LabelledData,
    LabelledTextCorpus,
    detect_labelled_format,
    load_labelled,
    load_labelled_splits,
    train_val_split,
)
from nlptk.text.registry import (
    CorpusInfo,
    corpus_info,
    default_corpus,
    default_data_dir,
    download_corpus,
    list_corpora,
    resolve_corpus,
)
from nlptk.text.stats import CorpusStats, corpus_stats
from nlptk.text.tokenize import (
    RegexTokenizer,
    SpacyTokenizer,
    Tokenizer,
    WhitespaceTokenizer,
    get_tokenizer,
    tokenizer_from_config,
)
from nlptk.text.vocab import Vocabulary

__all__ = [
    "ColumnCorpus",
    "Corpus",
    "CorpusInfo",
    "CorpusStats",
    "DirectoryCorpus",
    "LabelledData",
    "LabelledTextCorpus",
    "RegexTokenizer",
    "SpacyTokenizer",
    "TextLineCorpus",
    "TokenizedCorpus",
    "Tokenizer",
    "Vocabulary",
    "WhitespaceTokenizer",
    "corpus_info",
    "corpus_stats",
    "default_corpus",
    "default_data_dir",
    "detect_labelled_format",
    "download_corpus",
    "ensure_reiterable",
    "get_tokenizer",
    "iter_table_rows",
    "list_corpora",
    "load_labelled",
    "load_labelled_splits",
    "open_corpus",
    "resolve_corpus",
    "tokenizer_from_config",
    "train_val_split",
]


# old public names, kept for one release with a DeprecationWarning (nlptk._deprecated)
__getattr__ = renamed_names(__name__, {"read_labelled": "nlptk.text.labelled.load_labelled"})
