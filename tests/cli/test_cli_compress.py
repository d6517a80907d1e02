"""``genlab compress`` / ``genlab decompress``: a PNG folder comes back pixel-identical."""

from __future__ import annotations

import numpy as np

import genlab
from genlab.cli import run
from genlab.data.readers import read_images, write_images


def test_png_folder_round_trip(tmp_path, capsys):
    ds = genlab.load_dataset("digits")
    model = genlab.AutoregressiveModel(hidden_sizes=(16,), max_epochs=1, progress=False)
    model.fit(ds.subset(np.arange(200))).save(tmp_path / "m")
    write_images(tmp_path / "in", ds.X[200:206].astype(np.uint8))
    assert run("compress", tmp_path / "m", tmp_path / "in", "-o", tmp_path / "d.glz") == 0
    assert "bits/value" in capsys.readouterr().err
    assert run("decompress", tmp_path / "m", tmp_path / "d.glz", "-o", tmp_path / "out") == 0
    images, _ = read_images(tmp_path / "out")
    assert np.array_equal(images, ds.X[200:206])
    (tmp_path / "bad.glz").write_bytes(b"GLZ\x00\x07" + bytes(40))
    assert run("decompress", tmp_path / "m", tmp_path / "bad.glz", "-o", tmp_path / "o2") == 2
    assert "upgrade genlab" in capsys.readouterr().err
