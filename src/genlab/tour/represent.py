"""The represent job in the tour: the 2-D latent map of a VAE coloured by class, decoded
interpolation between test digits of different classes, and how much of the class a code
keeps (nearest neighbours among the training codes vs among the raw pixels)."""

from __future__ import annotations

from typing import Any

import numpy as np

from genlab.report.html import Figure, Section, Table
from genlab.tour.context import Tour, settings_note

TEXT = (
    "A latent-variable model maps each example to a code z that causes it. With two latent "
    "numbers the whole digit set fits on one page: classes form regions although the VAE "
    "never saw a label. Walking between two codes and decoding gives a smooth morph."
)
CODE = (
    "from genlab.jobs import represent\n"
    "vae = genlab.VAE(latent_dim=2).fit(train)\n"
    "Z = represent.encode(vae, test.X)\n"
    "represent.interpolate(vae, x0, x1, steps=8)"
)


def section_represent(tour: Tour) -> Section:
    """5. represent: the 2-D latent map of a VAE, interpolation strips."""
    from genlab.jobs import represent
    from genlab.report.figures import latent_map_figure

    train, test = tour.data("digits")
    vae = tour.model("digits-vae2")
    Z_train, Z_test = represent.encode(vae, train.X), represent.encode(vae, test.X)  # (N, 2)
    figures = [
        tour.figure(
            latent_map_figure(Z_test, test.y, title="VAE latent codes of the test digits"),
            "represent-latent-map",
            "2-D latent codes E[z | x] coloured by class",
        ),
        _interpolation(tour, vae),
    ]
    rows = [
        ["VAE latent z (2 numbers)", _knn_accuracy(Z_train, train.y, Z_test, test.y)],
        ["raw pixels (64 numbers)", _knn_accuracy(train.flat(), train.y, test.flat(), test.y)],
    ]
    return Section(
        "represent",
        "5. Represent: encode, decode, interpolate",
        TEXT,
        code=CODE,
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


def _interpolation(tour: Tour, vae: Any) -> Figure:
    """Decoded latent paths (slerp) between 4 pairs of test digits of different classes."""
    from genlab.jobs import represent
    from genlab.report.figures import interpolation_figure

    _, test = tour.data("digits")
    pairs = _pairs_of_different_classes(test.y, 4)
    strips = np.stack([represent.interpolate(vae, test.X[i], test.X[j], steps=8) for i, j in pairs])
    names = [f"{test.y[i]}→{test.y[j]}" for i, j in pairs]
    return tour.figure(
        interpolation_figure(
            strips, row_names=names, title="Decoded points on the latent path (slerp)"
        ),
        "represent-interpolation",
        "Interpolation between pairs of test digits",
    )


def _knn_accuracy(
    train: np.ndarray, y_train: np.ndarray, test: np.ndarray, y_test: np.ndarray
) -> float:
    """Test accuracy of 5 nearest neighbours among the training features."""
    from sklearn.neighbors import KNeighborsClassifier

    return float(KNeighborsClassifier(5).fit(train, y_train).score(test, y_test))


def _pairs_of_different_classes(y: np.ndarray, n: int) -> list[tuple[int, int]]:
    """``n`` index pairs ``(i, j)`` of examples whose classes differ (first of each class).

    Example:
        >>> _pairs_of_different_classes(np.array([0, 1, 2, 0, 1, 2]), 2)
        [(0, 1), (1, 2)]
    """
    firsts = [int(np.argmax(y == c)) for c in np.unique(y)]  # first example of each class
    return [(firsts[k], firsts[(k + 1) % len(firsts)]) for k in range(min(n, len(firsts)))]
