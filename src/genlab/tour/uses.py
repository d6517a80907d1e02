"""The uses of a density model in the tour, each a function of the
:class:`~genlab.tour.context.Tour` that returns its report :class:`~genlab.report.html.Section`:
impute (wine and masked digits), represent (the VAE's latent map, interpolation), compress
(genlab's coder against standard compressors) and the list of what is not built yet, with
their private helpers."""

from __future__ import annotations

import time

import numpy as np

from genlab.metrics import rmse
from genlab.report.html import Figure, Section, Table
from genlab.tour.context import NOT_BUILT, Tour, settings_note


def section_impute(tour: Tour) -> Section:
    """4. impute: mean vs multiple imputation on wine; masked digits filled in."""
    section = Section(
        "impute",
        "4. Impute: fill in missing entries",
        "Mean imputation fills every hole with its column's mean: it ignores the other columns "
        "and claims certainty it does not have. A density model fills holes from "
        "p(x_missing | x_observed): its conditional mean is a better single guess, and several "
        "draws (multiple imputation) give intervals whose coverage can be checked. Which model "
        "fills a table best is chosen by hiding entries that were observed: the stack weights "
        "the default candidates by that hold-out error and bags each over bootstrap refits.",
        code="gmm = genlab.GaussianMixture(n_components=1).fit(holes)    # fits with NaNs\n"
        "genlab.impute('mean', holes)                                # the baseline\n"
        "draws = genlab.impute(gmm, holes, n_imputations=50)\n"
        "genlab.jobs.impute.intervals(draws, level=0.9).coverage(X, mask)\n"
        "candidates = default_candidates(holes)                      # mixtures, 1-5 components\n"
        "choice = select_imputer(candidates, holes, bootstrap=10, stack=True)\n"
        "stack = choice.stack(candidates, bootstrap=10).fit(holes)   # 10 refits per member\n"
        "genlab.impute(stack, holes, method='mean')                  # and draws: same refits",
    )
    for part in (_impute_table, _impute_digits):
        figures, table = part(tour)
        section.figures += figures
        section.tables.append(table)
    return section


def _impute_table(tour: Tour) -> tuple[list[Figure], Table]:
    """Wine with 20% of its entries removed: mean imputation vs a Gaussian fitted with holes vs
    the stack of mixtures that hidden observed entries weighted (the impute benchmark's best)."""
    import genlab
    from genlab.data.masks import mcar
    from genlab.jobs.impute import intervals
    from genlab.jobs.impute.select import default_candidates, select_imputer
    from genlab.report.charts import imputation_figure
    from genlab.report.figures import imputation_calibration_figure

    seed = tour.config.seed
    wine = tour.data("wine").flat()
    X = (wine - wine.mean(0)) / wine.std(0)  # (178, 13) standardized units
    mask = mcar(X.shape, 0.2, random_state=seed)
    holes = np.where(mask, np.nan, X)
    n_draws = 10 if tour.config.fast else 50
    with tour.step("fit GaussianMixture on wine with holes"):
        gmm = genlab.GaussianMixture(n_components=1, random_state=seed).fit(holes)
    mean_filled = genlab.impute("mean", holes)
    draws = genlab.impute(gmm, holes, n_imputations=n_draws, random_state=seed)
    refits = 2 if tour.config.fast else 10
    with tour.step("choose and stack imputers by hold-out error"):
        candidates = default_candidates(holes)
        choice = select_imputer(
            candidates,
            holes,
            bootstrap=refits,
            stack=True,
            random_state=seed,
            progress=False,
            n_jobs=-1,
        )
        stack = choice.stack(candidates, bootstrap=refits, random_state=seed, n_jobs=-1)
        stack.fit(holes)  # the conditional mean and the draws come from the same refits
        stacked_mean = genlab.impute(stack, holes, method="mean", random_state=seed)
        stacked_draws = genlab.impute(stack, holes, n_draws, random_state=seed)
    levels = [0.5, 0.7, 0.8, 0.9, 0.95]
    coverage = {
        "GaussianMixture": [intervals(draws, level=q).coverage(X, mask) for q in levels],
        "stack": [intervals(stacked_draws, level=q).coverage(X, mask) for q in levels],
    }
    mixture = f"GaussianMixture: E[x_m | x_o] / {n_draws} draws"
    stacked = f"stack of {len(stack.models)} mixtures, {refits} refits each"
    errors = {
        "mean imputation": rmse(mean_filled, X, mask),
        mixture: rmse(genlab.impute(gmm, holes, method="mean"), X, mask),
        stacked: rmse(stacked_mean, X, mask),
    }
    cover90 = {  # one imputation is an interval of width zero: it covers only exact hits
        "mean imputation": intervals([mean_filled] * 2, level=0.9).coverage(X, mask),
        mixture: coverage["GaussianMixture"][levels.index(0.9)],
        stacked: coverage["stack"][levels.index(0.9)],
    }
    figures = [
        tour.figure(
            imputation_figure(errors, cover90),
            "impute-wine",
            "Wine with 20% of entries missing: error and 90% coverage",
        ),
        tour.figure(
            imputation_calibration_figure(levels, coverage),
            "impute-calibration",
            "Coverage of the per-entry intervals at each level",
        ),
    ]
    table = Table(
        ["method", "RMSE (standardized units)", "coverage of 90% intervals"],
        [[name, errors[name], cover90[name]] for name in errors],
        title=f"Wine, {int(mask.sum())} of {mask.size} entries missing completely at random",
        note="Mean imputation gives one value per hole, an interval of width zero: it covers "
        "(almost) nothing and shrinks every variance.",
    )
    return figures, table


def _impute_digits(tour: Tour) -> tuple[list[Figure], Table]:
    """Half of the pixels of the test digits removed, filled by the autoregressive model."""
    import genlab
    from genlab.data.masks import apply_mask, random_pixels

    seed = tour.config.seed
    _, test = tour.data("digits")
    ar = tour.model("digits-ar")
    mask = random_pixels(test.X.shape, 0.5, random_state=seed)
    holes = apply_mask(test.X, mask)  # (N, 8, 8) with NaN holes
    filled = ar.impute(holes, method="mean", random_state=seed)
    truth = np.asarray(test.X, dtype=float)
    rows = [
        ["mean imputation (pixel means)", rmse(genlab.impute("mean", holes), truth, mask)],
        ["AutoregressiveModel E[x_m | x_o]", rmse(filled, truth, mask)],
    ]
    one_draw = ar.impute(holes[:10], random_state=seed)
    strip = np.concatenate([test.X[:10], holes[:10], one_draw, filled[:10]])
    caption = (
        "Rows: test digits, half of their pixels removed (red), one draw, the conditional mean"
    )
    figure = tour.grid(strip, "impute-digits", caption, title="Masked digits filled in", per_row=10)
    title = f"{len(test)} test digits, 50% of pixels missing at random"
    return [figure], Table(["method", "RMSE (grey levels 0..16)"], rows, title)


def section_represent(tour: Tour) -> Section:
    """5. represent: the 2-D latent map of a VAE, interpolation strips."""
    from sklearn.neighbors import KNeighborsClassifier

    from genlab.jobs import represent
    from genlab.report.figures import interpolation_figure, latent_map_figure

    train, test = tour.data("digits")
    vae = tour.model("digits-vae2")
    Z_train, Z_test = represent.encode(vae, train.X), represent.encode(vae, test.X)  # (N, 2)
    figures = [
        tour.figure(
            latent_map_figure(Z_test, test.y, title="VAE latent codes of the test digits"),
            "represent-latent-map",
            "2-D latent codes E[z | x] coloured by class",
        )
    ]
    pairs = _pairs_of_different_classes(test.y, 4)
    strips = np.stack([represent.interpolate(vae, test.X[i], test.X[j], steps=8) for i, j in pairs])
    names = [f"{test.y[i]}→{test.y[j]}" for i, j in pairs]
    figures.append(
        tour.figure(
            interpolation_figure(
                strips, row_names=names, title="Decoded points on the latent path (slerp)"
            ),
            "represent-interpolation",
            "Interpolation between pairs of test digits",
        )
    )
    knn = lambda a, b: float(KNeighborsClassifier(5).fit(a, train.y).score(b, test.y))  # noqa: E731
    rows = [
        ["VAE latent z (2 numbers)", knn(Z_train, Z_test)],
        ["raw pixels (64 numbers)", knn(train.flat(), test.flat())],
    ]
    return Section(
        "represent",
        "5. Represent: encode, decode, interpolate",
        "A latent-variable model maps each example to a code z that causes it. With two latent "
        "numbers the whole digit set fits on one page: classes form regions although the VAE "
        "never saw a label. Walking between two codes and decoding gives a smooth morph.",
        code="from genlab.jobs import represent\n"
        "vae = genlab.VAE(latent_dim=2).fit(train)\n"
        "Z = represent.encode(vae, test.X)\n"
        "represent.interpolate(vae, x0, x1, steps=8)",
        figures=figures,
        tables=[
            Table(
                ["features", "5-NN test accuracy"],
                rows,
                title="How much of the class a code keeps: 5 nearest neighbours "
                "among the training codes",
            )
        ],
        notes=[settings_note(vae)],
    )


def section_compress(tour: Tour) -> Section:
    """6. compress: genlab's coder vs standard compressors, exact round trip checked."""
    import genlab
    from genlab.jobs.compress.baselines import standard_sizes
    from genlab.report import charts

    _, test = tour.data("digits")
    ar = tour.model("digits-ar")
    images = np.asarray(test.X)
    n_pixels = images.size
    with tour.step(f"compress {len(images)} test digits"):
        start = time.perf_counter()
        blob = genlab.compress(ar, images)
        encode_s = time.perf_counter() - start
        start = time.perf_counter()
        back = genlab.decompress(blob, ar)
        decode_s = time.perf_counter() - start
    exact = bool(np.array_equal(np.asarray(back), images))
    bits = {"genlab AutoregressiveModel": 8 * len(blob) / n_pixels}
    sizes = {"genlab AutoregressiveModel": len(blob)}
    for name, size in standard_sizes(images).items():
        bits[name], sizes[name] = 8 * size / n_pixels, size
    ideal = ar.bits_per_dim(images)
    figures = [
        tour.figure(
            charts.bits_per_pixel_figure(bits, ideal=ideal),
            "compress-bits",
            "Bits per pixel of each compressor on the test digits",
        )
    ]
    best = min(v for k, v in bits.items() if not k.startswith("genlab"))
    rows = [
        [k, sizes[k], bits[k], bits[k] / bits["genlab AutoregressiveModel"]]
        for k in sorted(bits, key=bits.get)
    ]
    return Section(
        "compress",
        "6. Compress: lossless bytes of length ≈ −log2 p(x)",
        "An entropy coder driven by a model's probabilities writes each image in about "
        "−log2 p(x) bits, so the better the density, the shorter the file. The model is needed "
        "to decode (it is the shared codebook); the round trip is checked bit for bit.",
        code="blob = genlab.compress(ar, test.X)\n"
        "assert (genlab.decompress(blob, ar) == test.X).all()",
        figures=figures,
        tables=[
            Table(
                ["compressor", "bytes", "bits per pixel", "× genlab's size"],
                rows,
                title=f"{len(images)} test digits, {n_pixels} pixels of 17 levels",
            )
        ],
        notes=[
            f"Exact round trip: {'yes' if exact else 'NO'} "
            f"(encode {encode_s:.2f} s, decode {decode_s:.2f} s).",
            f"Model −log2 p(x): {ideal:.3f} bits per pixel; the coder's overhead is "
            f"{bits['genlab AutoregressiveModel'] - ideal:+.3f}.",
            f"Best standard compressor: {best:.3f} bits per pixel.",
        ],
    )


def section_not_built(tour: Tour) -> Section:
    """What the lecture covers that this installation does not have yet, listed, not faked."""
    from genlab.core.registry import FAMILIES

    rows = []
    for name, what in NOT_BUILT:
        present = name in FAMILIES if "." not in name else _has_module(name)
        if not present:
            rows.append([what, "not built yet"])
    return Section(
        "not-built",
        "Not in genlab yet",
        "The lecture also covers these; genlab does not have them yet, so the tour shows "
        "nothing for them rather than something made up.",
        tables=[Table(["family or use", "status"], rows)],
        status="done" if not rows else "not built yet",
    )


# ==================================================================== helpers
def _has_module(name: str) -> bool:
    """True when module ``name`` exists as code (an empty folder is a namespace, not a module).

    Example:
        >>> _has_module("genlab.jobs"), _has_module("genlab.no_such_module")
        (True, False)
    """
    import importlib.util

    spec = importlib.util.find_spec(name)
    return spec is not None and spec.origin is not None


def _pairs_of_different_classes(y: np.ndarray, n: int) -> list[tuple[int, int]]:
    """``n`` index pairs ``(i, j)`` of examples whose classes differ (first of each class).

    Example:
        >>> _pairs_of_different_classes(np.array([0, 1, 2, 0, 1, 2]), 2)
        [(0, 1), (1, 2)]
    """
    firsts = [int(np.argmax(y == c)) for c in np.unique(y)]  # first example of each class
    return [(firsts[k], firsts[(k + 1) % len(firsts)]) for k in range(min(n, len(firsts)))]
