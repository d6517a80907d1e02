"""The digits-compress suite in quick mode: well-formed rows, exact round trips."""

from __future__ import annotations

from genlab.bench.suites import digits_compress

# a generic compressor has no model to round-trip against, to weigh the header against, or
# bits-back start-up cost (initial_bits: the latent-variable coders only)
ONLY_GENLAB = frozenset({"roundtrip_exact", "overhead_pct", "initial_bits"})


def test_quick_run_rows(scored_alike):
    rows = digits_compress.run(quick=True)
    scored_alike(rows, only_some=ONLY_GENLAB)
    by = {(r.method, r.metric): r.value for r in rows}
    for name in ("gzip-9", "bz2-9", "xz-9e", "zstd-19", "png", "webp-lossless"):
        assert 0 < by[(name, "bits_per_dim")] < 8
    for k in digits_compress.QUICK_ORDERS:
        method = f"genlab.AutoregressiveModel(n_orders={k})"
        assert by[(method, "roundtrip_exact")] == 1.0
        assert 0 < by[(method, "bits_per_dim")] < 4.1  # log2(17) plus the header
        assert -1 < by[(method, "overhead_pct")] < 25  # 40 images: the header weighs
    assert all(r.suite == "digits-compress" and r.task == "compress" for r in rows)
