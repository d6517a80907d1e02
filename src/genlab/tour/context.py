"""Settings and shared state of ``genlab tour``: the budget and its shares, :class:`TourConfig`,
the :class:`Tour` context (data loaded once, models fitted or reused from the cache under
``OUT/models/``, figure saving, step timings), the models the tour trains (:func:`model_specs`)
and the small helpers the job sections share."""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from genlab.core.condition import Condition
from genlab.core.errors import InputError
from genlab.report.html import Figure

#: Default budget of the whole tour (minutes); the training shares below add up to 90% of it,
#: the rest is for evaluation, sampling, compression and figures (the whole default tour stays
#: under 10 minutes on 2 cores).
DEFAULT_BUDGET_MINUTES = 8.0
#: Share of the budget each neural model may train for (its ``max_time``). The diffusion and
#: GAN models (25% together) came last; the class-conditional diffusion model, whose samples
#: the diffusion section shows most of, gets the largest of their shares.
SHARES = {
    "digits-ar": 0.26,
    "digits-ar-classes": 0.14,
    "digits-vae2": 0.07,
    "digits-hvae": 0.06,
    "rings-flow": 0.07,
    "digits-diffusion-classes": 0.10,
    "digits-diffusion-superres": 0.05,
    "digits-gan-classes": 0.05,
    "digits-gan": 0.05,
    "code-sequence": 0.05,  # the text/code section's byte Transformer (tour/text.py)
}
#: What a tour model is fitted with besides its data: nothing, the class labels, or the 4x4
#: average-pooled digits as image conditions (super-resolution).
CONDITIONS = ("", "labels", "pooled")


# ================================================================== settings
@dataclass
class Budget:
    """Seconds of training the tour may spend, shared out to the models by fixed fractions."""

    seconds: float
    started: float = field(default_factory=time.perf_counter)

    def share(self, fraction: float) -> float:
        """``fraction`` of the whole budget, in seconds (a model's ``max_time``)."""
        return round(self.seconds * fraction, 1)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


@dataclass
class TourConfig:
    """What the tour runs on and how long it may train.

    Attributes:
        out: the report folder (``index.html``, ``report.md``, ``figures/``, ``models/``).
        fast: the one-minute version (small data, tiny networks, a few epochs).
        budget_minutes: training budget shared by the neural models.
        seed: seed of every split, model and draw.
        quiet: no progress output.
    """

    out: Path
    fast: bool = False
    budget_minutes: float = DEFAULT_BUDGET_MINUTES
    seed: int = 0
    quiet: bool = False

    def __post_init__(self) -> None:
        self.out = Path(self.out)
        if not self.budget_minutes > 0:
            raise InputError(
                f"budget must be a positive number of minutes, got {self.budget_minutes}"
            )


# =================================================================== context
class Tour:
    """The shared state of one tour run: data, fitted models, figure paths and timings."""

    def __init__(self, config: TourConfig) -> None:
        from rich.console import Console

        self.config = config
        self.budget = Budget(config.budget_minutes * 60)
        self.console = Console(stderr=True, quiet=config.quiet)
        self.steps: list[list[Any]] = []  # [step, seconds, how] rows of the run table
        self._models: dict[str, Any] = {}
        self._data: dict[str, Any] = {}

    # ------------------------------------------------------------------ data
    def data(self, name: str) -> Any:
        """The bundled data of the tour, loaded once: ``(train, test)`` for the sets models
        train on (``digits``, ``rings``), the whole :class:`~genlab.Dataset` for the others."""
        if name not in self._data:
            self._data[name] = self._load(name)
        return self._data[name]

    def _load(self, name: str) -> Any:
        import genlab

        fast, seed = self.config.fast, self.config.seed
        if name == "digits":
            train, test = genlab.load_dataset("digits").split(random_state=seed)
            if fast:  # a stratified-enough prefix: the split is already shuffled
                train, test = train.subset(np.arange(400)), test.subset(np.arange(100))
            return train, test
        if name == "rings":
            ds = genlab.load_dataset("concentric_rings")
            return (ds.subset(np.arange(600)) if fast else ds).split(random_state=seed)
        return genlab.load_dataset(name)

    # ---------------------------------------------------------------- models
    def model(self, name: str) -> Any:
        """The fitted model ``name`` of :func:`model_specs`: from the cache, or trained now."""
        if name not in self._models:
            self._models[name] = self._fit_cached(name)
        return self._models[name]

    def _fit_cached(self, name: str) -> Any:

        make, data_name, conditioned = model_specs(self)[name]
        model = make()
        train, _ = self.data(data_name)  # models train on the training part of a split
        condition = _condition(train, conditioned)
        key = _cache_key(model, train, condition)
        return self.fit_or_reuse(name, model, key, lambda: model.fit(train, condition=condition))

    def fit_or_reuse(self, name: str, model: Any, key: str, fit: Callable[[], Any]) -> Any:
        """The model saved in ``OUT/models/<name>`` when it was fitted under cache ``key``
        (its settings and data), else ``model`` after ``fit()``, saved there with the key."""
        import genlab

        folder = self.config.out / "models" / name
        meta_file = folder / "tour.json"
        if meta_file.is_file():
            meta = json.loads(meta_file.read_text())
            if meta.get("key") == key:
                with contextlib.suppress(genlab.GenlabError, OSError):
                    loaded = genlab.load_model(folder)
                    self.steps.append(
                        [f"train {name}", meta["fit_seconds"], "cached (earlier run)"]
                    )
                    self.say(f"[green]✓[/green] {name}: reused the cached model in {folder}")
                    return loaded
        with self.step(f"train {name}", spinner="progress" not in model.get_params()):
            fit()
        folder.mkdir(parents=True, exist_ok=True)
        model.save(folder)
        meta_file.write_text(json.dumps({"key": key, "fit_seconds": self.steps[-1][1]}))
        return model

    # -------------------------------------------------------------- output
    @contextlib.contextmanager
    def step(self, what: str, spinner: bool = True) -> Iterator[None]:
        """Time ``what``, show a spinner (or let a progress bar show), add it to the run table."""
        start = time.perf_counter()
        status = self.console.status(f"{what}…") if spinner else contextlib.nullcontext()
        with status:
            yield
        seconds = time.perf_counter() - start
        self.steps.append([what, round(seconds, 2), "computed"])
        self.say(f"[green]✓[/green] {what} ({seconds:.1f} s)")

    def say(self, message: str) -> None:
        """Print a progress line (nothing with ``quiet``)."""
        self.console.print(message)

    def figure(self, fig: Any, name: str, caption: str) -> Figure:
        """Save a matplotlib figure as ``figures/<name>.png``; the report's reference to it."""
        from genlab.report.figures import save_figure

        save_figure(fig, self.config.out / "figures" / f"{name}.png")
        return Figure(f"figures/{name}.png", caption)

    def grid(self, images: np.ndarray, name: str, caption: str, **kwargs: Any) -> Figure:
        """A sample grid (:func:`~genlab.report.figures.sample_grid_figure`) saved as a figure."""
        from genlab.report.figures import sample_grid_figure

        return self.figure(sample_grid_figure(images, **kwargs), name, caption)


def _condition(train: Any, conditioned: str) -> Any:
    """What a model of :func:`model_specs` is fitted with (``conditioned`` in
    :data:`CONDITIONS`): None, the labels, or the pooled images as a ``Condition``."""
    from genlab.bench.suites.digits_superres import pool

    if conditioned not in CONDITIONS:
        raise ValueError(f"unknown tour condition {conditioned!r}")
    if conditioned == "pooled":
        return Condition.image(pool(np.asarray(train.X, dtype=float)))
    return train.y if conditioned == "labels" else None


def _cache_key(model: Any, data: Any, condition: Any) -> str:
    """Hash of what a fitted model depends on: family, settings, training data and what it
    was conditioned on (labels or images)."""
    params = {k: v for k, v in model.get_params().items() if k != "progress"}
    digest = hashlib.sha256(np.ascontiguousarray(data.flat()).tobytes())
    if condition is not None:  # labels as they were; images by their values
        values = condition.values if isinstance(condition, Condition) else condition
        digest.update(np.asarray(values).tobytes())
    text = json.dumps([model.family, params, digest.hexdigest()], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ==================================================================== models
def model_specs(tour: Tour) -> dict[str, tuple[Callable[[], Any], str, str]]:
    """Name -> (a new unfitted model, the data it trains on, what it is conditioned on: one
    of :data:`CONDITIONS`).

    The any-order autoregressive model is genlab's best density and coder on digits, so it
    gets the largest share of the budget. Compression codes with an unconditional model, so
    the per-class rows come from a second, class-conditional one with a smaller share.
    """
    import genlab

    fast, seed, budget = tour.config.fast, tour.config.seed, tour.budget
    neural = {"random_state": seed, "progress": not tour.config.quiet}

    def trained(name: str, full: dict, tiny: dict) -> dict:
        return {**(tiny if fast else full), "max_time": budget.share(SHARES[name]), **neural}

    ar_full = {"hidden_sizes": (512, 512), "ema_decay": 0.998, "max_epochs": 600, "patience": 60}
    ar_tiny = {"hidden_sizes": (64,), "max_epochs": 4}
    ar_common = {"n_mean_samples": 4 if fast else 8}  # E[x_m | x_o] paths: time vs noise
    ar = trained("digits-ar", {**ar_full, **ar_common}, {**ar_tiny, **ar_common})
    ar_classes = trained("digits-ar-classes", ar_full, ar_tiny)
    vae = trained(
        "digits-vae2",
        {"latent_dim": 2, "max_epochs": 300, "patience": 30},
        {"latent_dim": 2, "hidden": 32, "max_epochs": 4, "n_importance": 10},
    )
    hvae = trained(
        "digits-hvae",
        {"max_epochs": 300, "patience": 30},
        {"hidden": 32, "max_epochs": 3, "n_importance": 10},
    )
    # The rings need finer splines and less input noise than Flow's small-table defaults (a
    # blurred disc within the share); these settings stop early within it and show the rings
    # (the tour's density table prints each model's gap to the true density).
    rings = {"bins": 16, "noise_std": 0.03, "batch_size": 256, "patience": 60}
    flow = trained("rings-flow", {**rings, "max_epochs": 1000}, {"max_epochs": 5})
    k = 3 if fast else 10  # mixture components
    return {
        "digits-ar": (lambda: genlab.AutoregressiveModel(**ar), "digits", ""),
        "digits-ar-classes": (lambda: genlab.AutoregressiveModel(**ar_classes), "digits", "labels"),
        "digits-vae2": (lambda: genlab.VAE(**vae), "digits", ""),
        "digits-hvae": (lambda: genlab.HierarchicalVAE(**hvae), "digits", ""),
        "digits-gmm": (lambda: genlab.GaussianMixture(n_components=k), "digits", ""),
        "digits-kde": (lambda: genlab.KDE(random_state=seed), "digits", ""),
        "rings-flow": (lambda: genlab.Flow(**flow), "rings", ""),
        "rings-gmm": (lambda: genlab.GaussianMixture(n_components=2 * k), "rings", ""),
        "rings-kde": (lambda: genlab.KDE(random_state=seed), "rings", ""),
        **_generator_specs(trained),
    }


def _generator_specs(
    trained: Callable[[str, dict, dict], dict],
) -> dict[str, tuple[Callable[[], Any], str, str]]:
    """The diffusion and GAN models of :func:`model_specs`. The super-resolution model takes
    the settings that ``digits-superres`` chose on a validation split (no guidance, ancestral
    steps); the unconditional GAN exists for the mode-coverage check (a class-conditional GAN
    has no "no condition" input to sample from)."""
    import genlab

    diffusion_tiny = {"width": 8, "emb_dim": 16, "timesteps": 50, "steps": 10, "max_epochs": 2}
    diffusion = trained("digits-diffusion-classes", {}, diffusion_tiny)
    superres = trained(
        "digits-diffusion-superres",
        {"guidance": 0.0, "eta": 1.0},
        {**diffusion_tiny, "guidance": 0.0, "eta": 1.0},
    )
    gan_tiny = {"latent_dim": 4, "hidden": 16, "conv_width": 4, "max_epochs": 2}
    gan_classes = trained("digits-gan-classes", {}, gan_tiny)
    gan = trained("digits-gan", {}, gan_tiny)
    return {
        "digits-diffusion-classes": (lambda: genlab.Diffusion(**diffusion), "digits", "labels"),
        "digits-diffusion-superres": (lambda: genlab.Diffusion(**superres), "digits", "pooled"),
        "digits-gan-classes": (lambda: genlab.GAN(**gan_classes), "digits", "labels"),
        "digits-gan": (lambda: genlab.GAN(**gan), "digits", ""),
    }


FAMILY_MODELS = {  # family -> tour model, for the sample grids and the comparison
    "AutoregressiveModel": "digits-ar",
    "VAE (2-D latent)": "digits-vae2",
    "HierarchicalVAE": "digits-hvae",
    "GaussianMixture": "digits-gmm",
    "KDE": "digits-kde",
}


def settings_note(model: Any) -> str:
    """The model's class and the hyperparameters that differ from the family's defaults.

    Example:
        >>> import genlab
        >>> settings_note(genlab.GaussianMixture(n_components=3))
        'GaussianMixture(n_components=3)'
    """
    defaults = type(model)().get_params()
    changed = {
        k: v for k, v in model.get_params().items() if k != "progress" and v != defaults.get(k)
    }
    return f"{type(model).__name__}({', '.join(f'{k}={v}' for k, v in sorted(changed.items()))})"
