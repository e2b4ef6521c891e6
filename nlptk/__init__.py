"""nlptk: word embeddings and recurrent text classifiers.

Train or load embeddings, measure and explore them, use them in spaCy, start text
classifiers from them, and look at them in the TensorFlow Embedding Projector.

The names below are the public API; heavy dependencies (torch, spaCy, gensim) load only
when a name that needs them is first used, so ``import nlptk`` stays fast.

Examples
--------
>>> import nlptk
>>> vectors = nlptk.train_embeddings("lee_background", method="word2vec", dim=50)  # doctest: +SKIP
>>> vectors.most_similar("police", topn=3)                                     # doctest: +SKIP
>>> vectors = nlptk.load_vectors("glove.6B.100d.txt", limit=50_000)            # doctest: +SKIP
"""

from __future__ import annotations

from nlptk._lazy import lazy_getattr
from nlptk._version import __version__
from nlptk.errors import NlptkError
from nlptk.threads import set_wait_policy_default

set_wait_policy_default()  # before torch loads: OpenMP threads sleep instead of spinning (nlptk.threads)

# public name -> module that defines it (imported on first use)
_LAZY = {
    # vectors
    "Vectors": "nlptk.vectors",
    "load_vectors": "nlptk.vectors",
    "save_vectors": "nlptk.vectors",
    "evaluate_vectors": "nlptk.vectors",
    # text and corpora
    "get_tokenizer": "nlptk.text",
    "open_corpus": "nlptk.text",
    "corpus_stats": "nlptk.text",
    "Vocabulary": "nlptk.text",
    "LabelledData": "nlptk.text",
    "load_labelled": "nlptk.text",
    "load_labelled_splits": "nlptk.text",
    "train_val_split": "nlptk.text",
    "list_corpora": "nlptk.text",
    "resolve_corpus": "nlptk.text",
    "download_corpus": "nlptk.text",
    # embedding training
    "train_embeddings": "nlptk.embed.pipeline",
    "LSA": "nlptk.embed.lsa",
    "LDA": "nlptk.topics.lda",
    "GloVe": "nlptk.embed.glove",
    # spaCy similarity
    "use_vectors": "nlptk.similarity",
    "similarity_matrix": "nlptk.similarity",
    "export_spacy": "nlptk.similarity",
    # classifiers
    "ClassifierConfig": "nlptk.classify",
    "TextClassifier": "nlptk.classify",
    "TrainedClassifier": "nlptk.classify",
    "train_classifier": "nlptk.classify",
    "classifier_learner": "nlptk.classify.notebook",
    "load_classifier": "nlptk.classify.predictor",
    "evaluate_classifier": "nlptk.classify.evaluate",
    # language models
    "LanguageModel": "nlptk.lm",
    "LanguageModelConfig": "nlptk.lm",
    "load_language_model": "nlptk.lm",
    "train_language_model": "nlptk.lm.training",
    "finetune_language_model": "nlptk.lm.finetune",
    # export
    "export_projector": "nlptk.export",
    "export_documents": "nlptk.export",
    "plot_vectors": "nlptk.export",
}
_SUBPACKAGES = (
    "classify",
    "embed",
    "errors",
    "export",
    "io",
    "lm",
    "similarity",
    "text",
    "topics",
    "vectors",
)

__all__ = [
    "LDA",
    "LSA",
    "ClassifierConfig",
    "GloVe",
    "LabelledData",
    "LanguageModel",
    "LanguageModelConfig",
    "NlptkError",
    "TextClassifier",
    "TrainedClassifier",
    "Vectors",
    "Vocabulary",
    "__version__",
    "classifier_learner",
    "classify",
    "corpus_stats",
    "download_corpus",
    "embed",
    "errors",
    "evaluate_classifier",
    "evaluate_vectors",
    "export",
    "export_documents",
    "export_projector",
    "export_spacy",
    "finetune_language_model",
    "get_tokenizer",
    "io",
    "list_corpora",
    "lm",
    "load_classifier",
    "load_labelled",
    "load_labelled_splits",
    "load_language_model",
    "load_vectors",
    "open_corpus",
    "plot_vectors",
    "resolve_corpus",
    "save_vectors",
    "similarity",
    "similarity_matrix",
    "text",
    "topics",
    "train_classifier",
    "train_embeddings",
    "train_language_model",
    "train_val_split",
    "use_vectors",
    "vectors",
]


# names imported on first use (nlptk._lazy); old names kept for one release (nlptk._deprecated)
__getattr__ = lazy_getattr(
    __name__, _LAZY, subpackages=_SUBPACKAGES, renamed={"read_labelled": "nlptk.text.labelled.load_labelled"}
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
