"""Tests of nlptk.text.labelled: every labelled layout, class ids, splits and bad data."""

from __future__ import annotations

import json
import logging

import pytest
from gensim.test.utils import datapath

from nlptk.errors import DataError, EncodingError, FormatError, InputFileError, ParameterError
from nlptk.text.labelled import (
    LabelledData,
    detect_labelled_format,
    load_labelled,
    load_labelled_splits,
    train_val_split,
)


def _class_folders(root, layout):
    for cls, texts in layout.items():
        (root / cls).mkdir(parents=True, exist_ok=True)
        for i, text in enumerate(texts):
            (root / cls / f"{i:03d}.txt").write_text(text, encoding="utf-8")
    return root


def test_folders_class_ids_from_sorted_folder_names(tmp_path):
    root = _class_folders(tmp_path / "data", {"pos": ["good", "great"], "neg": ["bad"], "mid": ["ok"]})
    (root / "README.txt").write_text("not an example")
    data = load_labelled(root)
    assert data.classes == ["mid", "neg", "pos"]  # sorted, as Keras does
    assert list(zip(data.texts, data.labels, strict=True)) == [
        ("ok", 0),
        ("bad", 1),
        ("good", 2),
        ("great", 2),
    ]
    assert data.class_counts() == {"mid": 1, "neg": 1, "pos": 2}
    assert data.meta["format"] == "folders"


def test_split_root_and_load_labelled_splits_share_classes(tmp_path):
    root = tmp_path / "ds"
    _class_folders(root / "train", {"neg": ["bad", "awful"], "pos": ["good"]})
    _class_folders(root / "val", {"pos": ["fine"]})
    _class_folders(root / "test", {"neg": ["poor"], "pos": ["nice"]})
    splits = load_labelled_splits(root)
    assert set(splits) == {"train", "val", "test"}
    assert splits["val"].classes == ["neg", "pos"] and splits["val"].labels == [1]
    assert splits["test"].labels == [0, 1]
    assert len(load_labelled(root)) == 3  # a split root reads its train/ folder


def test_splits_from_table_files(tmp_path):
    (tmp_path / "train.csv").write_text("text,label\na,x\nb,y\n", encoding="utf-8")
    (tmp_path / "dev.csv").write_text("text,label\nc,y\n", encoding="utf-8")
    splits = load_labelled_splits(tmp_path)
    assert sorted(splits) == ["train", "val"] and splits["val"].labels == [1]


def test_missing_train_split_is_an_input_error(tmp_path):
    (tmp_path / "test").mkdir()
    with pytest.raises(InputFileError, match="no train split"):
        load_labelled_splits(tmp_path)


def test_csv_tsv_jsonl_with_named_columns(tmp_path):
    csv_path = tmp_path / "d.csv"
    csv_path.write_text('review,stars\n"great, really",5\nmeh,1\nfine,5\n', encoding="utf-8")
    data = load_labelled(csv_path, text_column="review", label_column="stars")
    assert data.classes == ["1", "5"] and data.labels == [1, 0, 1] and data.texts[0] == "great, really"
    tsv = tmp_path / "d.tsv"
    tsv.write_text('text\tlabel\nit \'s "fun"\tpos\nno\tneg\n', encoding="utf-8")
    assert load_labelled(tsv).texts == ['it \'s "fun"', "no"]
    jsonl = tmp_path / "d.jsonl"
    jsonl.write_text("\n".join(json.dumps({"text": t, "label": y}) for t, y in [("a", 1), ("b", 0)]))
    data = load_labelled(jsonl)
    assert data.classes == ["0", "1"] and data.labels == [1, 0]


def test_csv_without_the_named_column(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("text,category\na,x\n", encoding="utf-8")
    with pytest.raises(FormatError) as info:
        load_labelled(path)
    assert "no label column 'label'" in str(info.value) and "text, category" in str(info.value)


def test_fasttext_format_first_label_used_with_one_warning(tmp_path, caplog):
    path = tmp_path / "ft.txt"
    path.write_text(
        "__label__pos __label__extra great film\n\n__label__neg dull\n__label__pos __label__x ok\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="nlptk.text.labelled"):
        data = load_labelled(path)
    assert data.meta["format"] == "fasttext"
    assert data.texts == ["great film", "dull", "ok"] and data.labels == [1, 0, 1]
    warnings = [r for r in caplog.records if "several labels" in r.getMessage()]
    assert len(warnings) == 1 and "2 lines" in warnings[0].getMessage()


def test_fasttext_line_without_label_is_a_data_error(tmp_path):
    path = tmp_path / "ft.txt"
    path.write_text("__label__a x\nno label here\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_labelled(path)
    assert info.value.line == 2


def test_gensim_pang_lee_polarity_is_cp1252_fasttext():
    path = datapath("pang_lee_polarity.cor")
    assert detect_labelled_format(path, encoding="cp1252") == "fasttext"
    with pytest.raises(EncodingError) as info:
        load_labelled(path)
    assert info.value.byte_offset == 3469
    data = load_labelled(path, encoding="cp1252")
    assert len(data) == 200 and data.class_counts() == {"neg": 100, "pos": 100}
    assert len(load_labelled("pang_lee_polarity")) == 200  # the registry knows the encoding


def test_label_first_detection_numeric_class_order(tmp_path):
    path = tmp_path / "sst.train"
    lines = [f"{i % 11} text number {i}" for i in range(30)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert detect_labelled_format(path) == "label-first"
    data = load_labelled(path)
    assert data.classes == [str(i) for i in range(11)]  # numeric, so "10" after "9"
    assert data.labels[:3] == [0, 1, 2] and data.texts[0] == "text number 0"


def test_label_first_with_word_labels_needs_the_format_named(tmp_path):
    path = tmp_path / "d.txt"
    path.write_text("pos lovely film\nneg dull film\n", encoding="utf-8")
    with pytest.raises(FormatError, match="pass format="):
        load_labelled(path)
    data = load_labelled(path, format="label-first")
    assert data.classes == ["neg", "pos"] and data.labels == [1, 0]


def test_classes_argument_fixes_ids_and_rejects_unknown_labels(tmp_path):
    path = tmp_path / "test.txt"
    path.write_text("1 good\n0 bad\n2 odd\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_labelled(path, classes=["0", "1"])
    message = str(info.value)
    assert "label '2' at line 3 is not among the training classes ['0', '1']" in message
    assert "test.txt" in message
    data = load_labelled(path, classes=["2", "1", "0"])
    assert data.labels == [1, 2, 0]


def test_single_class_and_no_examples_are_data_errors(tmp_path):
    one = tmp_path / "one.txt"
    one.write_text("__label__pos good\n__label__pos fine\n", encoding="utf-8")
    with pytest.raises(DataError, match="needs at least two classes, found only 'pos'"):
        load_labelled(one)
    root = tmp_path / "folders"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    with pytest.raises(DataError, match="no labelled examples"):
        load_labelled(root)
    with pytest.raises(DataError, match="no class sub-folders"):
        load_labelled(tmp_path / "folders" / "a")


def test_empty_texts_are_kept_and_counted_in_one_warning(tmp_path, caplog):
    path = tmp_path / "d.csv"
    path.write_text("text,label\n,a\nhello,b\n,b\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="nlptk.text.labelled"):
        data = load_labelled(path)
    assert data.texts == ["", "hello", ""]
    assert any("2 of 3 examples have an empty text" in r.getMessage() for r in caplog.records)


def test_missing_empty_and_wrong_kind_inputs(tmp_path):
    with pytest.raises(InputFileError, match="not found"):
        load_labelled(tmp_path / "nope.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputFileError, match="empty"):
        load_labelled(empty)
    with pytest.raises(ParameterError, match="unknown labelled format"):
        load_labelled(empty, format="xml")
    with pytest.raises(InputFileError, match="found a folder"):
        load_labelled(tmp_path, format="fasttext")


def test_latin1_label_first_file_read_as_utf8(tmp_path):
    path = tmp_path / "mr.txt"
    path.write_bytes("1 a lovely film\n0 a clich\u00e9 plot\n".encode("latin-1"))
    with pytest.raises(EncodingError) as info:
        load_labelled(path)
    assert info.value.byte_offset == 16 + 9 and "byte offset 25" in str(info.value)
    assert load_labelled(path, encoding="latin-1").texts[1] == "a cliché plot"


def test_train_val_split_is_stratified_seeded_and_disjoint():
    data = LabelledData([f"t{i}" for i in range(100)], [int(i % 4 == 0) for i in range(100)], ["a", "b"])
    train, val = train_val_split(data, val_size=0.2, seed=3)
    assert len(train) == 80 and len(val) == 20
    assert val.class_counts() == {"a": 15, "b": 5}
    assert set(train.texts).isdisjoint(val.texts)
    _, again_val = train_val_split(data, val_size=0.2, seed=3)
    assert again_val.texts == val.texts
    assert train_val_split(data, val_size=0.2, seed=4)[1].texts != val.texts
    with pytest.raises(ParameterError):
        train_val_split(data, val_size=1.5)
    with pytest.raises(DataError):
        train_val_split(data, val_size=100)


def test_train_val_split_falls_back_when_a_class_is_tiny(caplog):
    data = LabelledData(["a", "b", "c", "d", "e"], [0, 0, 0, 0, 1], ["x", "y"])
    with caplog.at_level(logging.WARNING):
        _, val = train_val_split(data, val_size=2)
    assert len(val) == 2 and "plain random split" in caplog.text


def test_labelled_data_validates_and_subsets():
    with pytest.raises(ParameterError):
        LabelledData(["a"], [0, 1], ["x", "y"])
    with pytest.raises(ParameterError, match="outside"):
        LabelledData(["a"], [2], ["x", "y"])
    data = LabelledData(["a", "b", "c"], [0, 1, 1], ["x", "y"], "src")
    sub = data.subset([2, 0])
    assert sub.texts == ["c", "a"] and sub.labels == [1, 0] and sub.classes == ["x", "y"]
    assert data.describe()["class_counts"] == {"x": 1, "y": 2}


def test_labelled_text_corpus_strips_labels_and_reiterates(tmp_path):
    from nlptk.text.labelled import LabelledTextCorpus

    ft = tmp_path / "ft.txt"
    ft.write_text("__label__a __label__b hello there\n\n__label__a\n__label__b bye\n", encoding="utf-8")
    corpus = LabelledTextCorpus(ft, format="fasttext")
    assert list(corpus) == list(corpus) == ["hello there", "bye"]
    lf = tmp_path / "lf.txt"
    lf.write_text("0 first text \n1\n1 second\n", encoding="utf-8")
    assert list(LabelledTextCorpus(lf, format="label-first", limit=1)) == ["first text"]
    with pytest.raises(ParameterError):
        LabelledTextCorpus(lf, format="csv")


def test_open_corpus_on_a_labelled_registry_name_yields_texts_only():
    from nlptk.text.corpus import open_corpus

    docs = list(open_corpus("pang_lee_polarity"))
    assert len(docs) == 200 and not any("__label__" in d for d in docs)
