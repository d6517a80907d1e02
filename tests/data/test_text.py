"""Reading texts and the bundled Python-code corpus."""

from __future__ import annotations

import pandas as pd
import pytest

import genlab
from genlab.data.text import PYTHON_CODE_TEST, as_byte_texts, load_python_code, read_texts


def test_read_a_folder_a_file_and_a_csv_column(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.txt").write_bytes(b"alpha")
    (tmp_path / "sub" / "b.py").write_bytes(b"beta")
    (tmp_path / "c.bin").write_bytes(b"skip")
    assert read_texts(tmp_path) == [("a.txt", b"alpha"), ("sub/b.py", b"beta")]
    assert read_texts(tmp_path / "c.bin") == [("c.bin", b"skip")]
    csv = tmp_path / "t.csv"
    pd.DataFrame({"id": [1, 2], "text": ["héllo", ""]}).to_csv(csv, index=False)
    assert read_texts(csv, column="text") == [("0", "héllo".encode()), ("1", b"")]
    with pytest.raises(genlab.InputError, match="no column"):
        read_texts(csv, column="body")
    with pytest.raises(genlab.InputError, match="does not exist"):
        read_texts(tmp_path / "missing")
    with pytest.raises(genlab.InputError, match="holds no file"):
        read_texts(tmp_path / "sub", suffixes=(".md",))


def test_python_code_holds_out_a_fixed_test_set():
    corpus = load_python_code()
    test_names = [name for name, _ in corpus.test]
    assert sorted(test_names) == sorted(PYTHON_CODE_TEST)
    train_names = {name for name, _ in corpus.train}
    assert not train_names & set(test_names)
    for name in train_names:
        parts = name.split("/")[:-1]
        assert not {"test", "tests", "idlelib", "lib2to3", "site-packages"} & set(parts)
    assert corpus.train_texts()[0] == corpus.train[0][1]


def test_as_byte_texts():
    assert as_byte_texts("abc") == ([b"abc"], True)
    assert as_byte_texts([b"a", "b"]) == ([b"a", b"b"], False)
    assert as_byte_texts(["\ud800"])[0] == ["\ud800".encode("utf-8", "surrogatepass")]
    with pytest.raises(genlab.InputError, match="None"):
        as_byte_texts(None)
