"""Sample quality on digits: Fréchet distance, conditional accuracy, classifier two-sample test.

All three read one small, fixed classifier: scikit-learn's ``MLPClassifier`` (one hidden layer
of 64 ReLU units, ``random_state=0``), trained on the training split of ``Dataset.split()``
(``load_dataset("digits").split()``, pixels / 16). It is retrained on first use in a process
(about a second) and kept in memory, so nothing is downloaded and results are deterministic.
Its hidden activations are the feature space of the Fréchet distance (the role Inception
features play in FID, scaled down to 8x8 digits); its predictions label samples for
``conditional_accuracy``.

``fd_ratio`` divides the Fréchet distance of the samples to the test set by that of as many
real training images: 1.0 means "as close to the test set as real data", which removes the
bias a 360-image covariance estimate puts into the raw distance.

References:
    Heusel, M. et al. (2017). GANs trained by a two time-scale update rule converge to a local
        Nash equilibrium. NeurIPS (the Fréchet Inception Distance).
    Lopez-Paz, D. & Oquab, M. (2017). Revisiting classifier two-sample tests. ICLR.

Example:
    >>> import numpy as np
    >>> a = np.random.default_rng(0).normal(size=(500, 3))
    >>> round(frechet_distance(a, a), 6)
    0.0
    >>> round(frechet_distance(a, a + 1.0), 1)  # means 1 apart in each of 3 dimensions
    3.0
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy import linalg

from genlab.core.errors import InputError

N_HIDDEN = 64
DIGITS_LEVELS = 16.0  # digits pixels are integers 0..16


def _as_flat_digits(images: np.ndarray, what: str = "images") -> np.ndarray:
    """``(N, 8, 8)`` or ``(N, 64)`` digits as a float ``(N, 64)`` matrix scaled to 0..1."""
    X = np.asarray(images, dtype=np.float64)
    X = X.reshape(len(X), -1) if X.ndim >= 2 else X
    if X.ndim != 2 or X.shape[1] != 64:
        raise InputError(f"{what} must be 8x8 digits, (N, 8, 8) or (N, 64); got {X.shape}")
    if len(X) == 0:
        raise InputError(f"{what} is empty")
    if not np.isfinite(X).all():
        raise InputError(f"{what} holds NaN or infinite values")
    return X / DIGITS_LEVELS


@dataclass(frozen=True)
class DigitsClassifier:
    """A fixed digits classifier: ``features`` (hidden activations) and ``predict`` (labels).

    Build it with :func:`digits_classifier`; ``test_accuracy`` is its accuracy on the 360 test
    images of the standard split (``genlab bench digits-sample`` prints it in the note of its
    reference row).
    """

    weights: tuple[np.ndarray, np.ndarray]  # (64, H), (H, 10)
    biases: tuple[np.ndarray, np.ndarray]  # (H,), (10,)
    test_accuracy: float

    def features(self, images: np.ndarray) -> np.ndarray:
        """Hidden-layer activations, ``(N, 64)``, of digits images on the 0..16 grid."""
        X = _as_flat_digits(images)
        return np.maximum(X @ self.weights[0] + self.biases[0], 0.0)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """Predicted digit (0..9) of each image, ``(N,)``."""
        logits = self.features(images) @ self.weights[1] + self.biases[1]  # (N, 10)
        return logits.argmax(axis=1)


@lru_cache(maxsize=1)
def digits_classifier() -> DigitsClassifier:
    """The fixed-seed classifier, trained on the digits training split (cached per process).

    Example:
        >>> clf = digits_classifier()
        >>> clf.test_accuracy > 0.95
        True
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from genlab.data.datasets import load_dataset

    train, test = load_dataset("digits").split()
    net = MLPClassifier(hidden_layer_sizes=(N_HIDDEN,), alpha=1e-3, max_iter=400, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        net.fit(_as_flat_digits(train.X), train.y)
    accuracy = float(net.score(_as_flat_digits(test.X), test.y))
    return DigitsClassifier(
        tuple(w.copy() for w in net.coefs_), tuple(b.copy() for b in net.intercepts_), accuracy
    )


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets ``(N, F)`` and ``(M, F)``:
    ``|mu_a - mu_b|^2 + tr(S_a + S_b - 2 (S_a S_b)^(1/2))``."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1]:
        raise InputError(f"feature sets must be (N, F) with the same F; got {a.shape}, {b.shape}")
    if len(a) < 2 or len(b) < 2:
        raise InputError("each feature set needs at least 2 rows")
    mu_a, mu_b = a.mean(0), b.mean(0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)  # (F, F) each
    # tr (S_a S_b)^(1/2) = sum of sqrt eigenvalues of the symmetric S_a^(1/2) S_b S_a^(1/2):
    # stable when a covariance is singular (dead ReLU units), unlike sqrtm of the product
    values, vectors = linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T  # (F, F)
    middle = linalg.eigvalsh(root_a @ cov_b @ root_a)
    trace_root = np.sqrt(np.clip(middle, 0, None)).sum()
    distance = np.sum((mu_a - mu_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root
    return float(max(distance, 0.0))


def fd_ratio(
    samples: np.ndarray,
    test: np.ndarray,
    reference: np.ndarray,
    classifier: DigitsClassifier | None = None,
) -> float:
    """``FD(samples, test) / FD(reference, test)`` in the classifier's feature space.

    ``reference`` is as many real training images as there are samples, so 1.0 is "as good as
    real data" and larger is worse.
    """
    clf = classifier or digits_classifier()
    fake, target = clf.features(samples), clf.features(test)
    baseline = frechet_distance(clf.features(reference), target)
    if baseline <= 0:
        raise InputError("the reference images are identical to the test set in feature space")
    return frechet_distance(fake, target) / baseline


def conditional_accuracy(
    samples: np.ndarray, labels: np.ndarray, classifier: DigitsClassifier | None = None
) -> float:
    """Share of class-``c`` samples that the fixed classifier labels ``c``.

    Example:
        >>> from genlab import load_dataset
        >>> _, test = load_dataset("digits").split()
        >>> conditional_accuracy(test.X, test.y) > 0.95  # real images with their true labels
        True
    """
    labels = np.asarray(labels).reshape(-1)
    if len(labels) != len(np.asarray(samples)):
        raise InputError(f"{len(labels)} labels for {len(np.asarray(samples))} samples")
    clf = classifier or digits_classifier()
    return float(np.mean(clf.predict(samples) == labels.astype(np.int64)))


def c2st_accuracy(
    samples: np.ndarray,
    real: np.ndarray,
    *,
    classifier: DigitsClassifier | None = None,
    n_folds: int = 5,
    random_state: int = 0,
) -> float:
    """Classifier two-sample test: cross-validated accuracy of a logistic regression that tells
    samples from real images (on the fixed classifier's features plus pixels).

    0.5 means the two sets cannot be told apart (ideal); 1.0 means every sample is recognisable.
    The two sets are cut to the same size first, so chance is exactly 0.5.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = classifier or digits_classifier()
    n = min(len(np.asarray(samples)), len(np.asarray(real)))
    if n < n_folds:
        raise InputError(f"c2st needs at least {n_folds} samples and real images; got {n}")
    fake, true = np.asarray(samples)[:n], np.asarray(real)[:n]
    X = np.concatenate([_as_flat_digits(fake, "samples"), _as_flat_digits(true, "real")])
    X = np.hstack([X, clf.features(X * DIGITS_LEVELS)])  # (2n, 64 pixels + 64 features)
    y = np.r_[np.zeros(n), np.ones(n)]
    test = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=2000))
    folds = StratifiedKFold(n_folds, shuffle=True, random_state=random_state)
    return float(cross_val_score(test, X, y, cv=folds).mean())
