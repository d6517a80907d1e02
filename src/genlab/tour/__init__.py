"""``genlab tour``: every job of a generative model on the bundled data, in one report.

The tour is what a new user sees first (``make demo``), so it runs offline on 2 cores within a
time budget, and every number and picture in its report comes from the run that wrote it. It
trains a few default models (cached under ``OUT/models/<name>/``, keyed by their settings, so
a second run reuses them and a changed setting retrains), then runs one section per job of the
lecture, each a function in the module of that job (``genlab.tour.<job>``) that returns a
:class:`~genlab.report.html.Section`:

=============  ================================================================================
generate       sample grids of every family on digits (the Flow's are on the 2-D set)
condition      one row of samples per class; inpainting (the bottom half of test digits)
density        contours vs the true 2-D density; bits/dim with error bars; anomaly detection
               (ROC); the generative classifier (confusion matrix)
impute         mean imputation vs multiple imputation on wine (error, interval coverage);
               masked digits filled in
represent      the 2-D latent map of a VAE coloured by class; interpolation strips
compress       bits per pixel of genlab's coder vs gzip/bz2/xz/zstd/PNG/WebP, exact round trip
=============  ================================================================================

A job whose code is not in this installation is listed as such (``not built yet``), never
faked; so are the families and jobs the lecture mentions that genlab does not have yet
(:mod:`genlab.tour.roadmap`).

Training draws from one :class:`Budget`: each neural model gets a fixed share of it as its
``max_time`` (fixed, not "what is left", so the cache key of a model does not depend on how
fast the machine was). ``fast=True`` is the smoke run the tests use: small data, small
networks, a few epochs; its numbers show that the pipeline works, not what the models can do.

Example:
    >>> Budget(60).share(0.25)
    15.0
"""

from genlab.tour.compress import section_compress
from genlab.tour.condition import section_condition
from genlab.tour.context import (
    DEFAULT_BUDGET_MINUTES,
    FAMILY_MODELS,
    SHARES,
    Budget,
    Tour,
    TourConfig,
    model_specs,
    settings_note,
)
from genlab.tour.density import section_density
from genlab.tour.generate import section_generate
from genlab.tour.impute import section_impute
from genlab.tour.represent import section_represent
from genlab.tour.roadmap import NOT_BUILT, section_not_built
from genlab.tour.run import SECTIONS, run_tour

__all__ = [
    "DEFAULT_BUDGET_MINUTES",
    "FAMILY_MODELS",
    "NOT_BUILT",
    "SECTIONS",
    "SHARES",
    "Budget",
    "Tour",
    "TourConfig",
    "model_specs",
    "run_tour",
    "section_compress",
    "section_condition",
    "section_density",
    "section_generate",
    "section_impute",
    "section_not_built",
    "section_represent",
    "settings_note",
]
