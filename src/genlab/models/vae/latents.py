"""The latents of a (hierarchical) VAE, as the public interface gives them.

* ``encode`` / ``decode`` map data to posterior means and latents to decoder means
  (``interpolate`` is :meth:`genlab.GenerativeModel.interpolate`: encode, a path from
  :func:`genlab.nn.interpolation.latent_path`, decode).
* ``elbo_terms`` gives the one-sample ELBO of each row and its two parts.
* The latent-coding interface, what a bits-back coder (:mod:`genlab.jobs.compress.latent`)
  reads, for an unconditional model with the Markov inference chain
  ``q(z_1 | x) q(z_2 | z_1) ...`` (a VAE, or a HierarchicalVAE with
  ``inference="bottom_up"``); layer 0 is ``z_1``, next to the data:

  ==========================  ==============================================================
  distribution                call (``(loc, scale)``: float64 arrays ``(B, d_l)``)
  ==========================  ==============================================================
  ``q(z_1 | x)``              ``latent_posterior(0, X=X)`` (``X`` in the training container)
  ``q(z_{l+1} | z_l)``        ``latent_posterior(l + 1, z_below=z_l)``
  ``p(z_l | z_{l+1})``        ``latent_layer_prior(l, z_above)``
  ``p(z_L)``                  ``latent_layer_prior(L - 1)``: ``N(0, I)``, ``(1, d_L)`` arrays
  ``p(x | z_1)``              ``data_log_pmf(z_1)``: ``(B, D, levels)`` log-probabilities
  ==========================  ==============================================================

  Every network call of these runs on fixed chunks of rows
  (:func:`~genlab.models.neural.fixed_chunks`), so a row's numbers do not depend on the rows
  it is asked with: an entropy coder's encoder and decoder compute the same tables. Latents
  are read as float32 (the network's type).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from genlab.core.errors import CapabilityError, InputError
from genlab.models.neural import fixed_chunks
from genlab.models.vae.distributions import loc_scale
from genlab.models.vae.importance import ROWS_TIMES_SAMPLES


class LatentAccess:
    """``encode``, ``decode``, ``elbo_terms`` and the latent-coding interface of
    :class:`~genlab.VAE` (see module docstring); the host provides the fitted network."""

    # ============================================================ encode / decode
    def encode(self, X: Any, condition: Any = None, *, layer: int | str = "top") -> np.ndarray:
        """Posterior means of the latents, ``(N, latent_dim)``; missing entries are allowed.

        Args:
            X: data in the training format.
            condition: class label(s), required when the model was fitted with labels.
            layer: ``"top"`` (the only layer of a VAE), a layer index (0 = bottom, next to
                the data) or ``"all"`` (every layer, bottom first, concatenated). A
                hierarchical model follows the chain of posterior means.
        """
        self._require("latent")
        A = self._encode(X)
        codes = self._latent_condition(condition, len(A))
        n_layers = len(self.module_.latent_dims)
        if not (
            layer in ("top", "all") or (isinstance(layer, int) and -n_layers <= layer < n_layers)
        ):
            raise InputError(f"layer must be 'top', 'all' or 0..{n_layers - 1}, got {layer!r}")
        out = []
        for start in range(0, len(A), ROWS_TIMES_SAMPLES):
            x = self._network_rows(A[start : start + ROWS_TIMES_SAMPLES])
            c = None if codes is None else torch.as_tensor(codes[start : start + len(x)])
            with torch.no_grad():
                z, _ = self.module_.infer(x, c, noise=False)
            picked = z if layer == "all" else [z[-1 if layer == "top" else layer]]
            out.append(torch.cat(picked, dim=-1).double().numpy())
        return np.concatenate(out)

    def decode(self, Z: Any, condition: Any = None) -> Any:
        """Decoder means (most probable categories) of latents ``Z (N, latent_dim)``, in the
        user's types; a hierarchical model follows the prior means down from the top latent."""
        self._require("latent")
        try:
            Z = np.asarray(Z, dtype=np.float64)
        except (TypeError, ValueError):
            raise InputError("Z must be an array of numbers") from None
        Z = Z.reshape(1, -1) if Z.ndim == 1 else Z
        d = self.module_.latent_dims[-1]
        if Z.ndim != 2 or Z.shape[1] != d:
            raise InputError(f"Z has shape {Z.shape}; the model's latent has {d} dimensions")
        if not np.isfinite(Z).all():
            raise InputError("Z holds NaN or infinite values")
        codes = self._latent_condition(condition, len(Z))
        c = None if codes is None else torch.as_tensor(codes)
        with torch.no_grad():
            z1 = self.module_.decode_top(torch.as_tensor(Z, dtype=torch.float32), c)
            mean = self.module_.likelihood(z1, c).mean()
        return self.schema_.decode(self._data_rows(mean))

    def _latent_condition(self, condition: Any, n: int) -> np.ndarray | None:
        class_prior = bool(self.module_config_.get("class_prior", False))
        if self.classes_ is not None and condition is None and not class_prior:
            raise InputError(
                f"this {type(self).__name__} was fitted with labels: pass condition= "
                f"(one of {[c.item() if hasattr(c, 'item') else c for c in self.classes_]})"
            )
        return self._encode_condition(condition, n)

    # ================================================================= the ELBO
    def elbo_terms(
        self, X: Any, condition: Any = None, *, random_state: Any = None
    ) -> dict[str, np.ndarray]:
        """The one-sample ELBO of each row and its parts, in nats: ``elbo = -distortion -
        rate``, each ``(N,)`` float64.

        ``distortion`` is ``-log p(x_o | z_1)`` and ``rate`` the sum over the latent layers of
        ``KL(q || p)`` (analytic where both sides condition on the same variables, else its
        one-sample estimate), for one draw ``z ~ q(z | x_o)`` per row. ``log_prob`` is the
        tighter importance-weighted bound.

        Args:
            X: data in the training format (missing entries allowed).
            condition: class label(s), required when the model was fitted with labels.
            random_state: seed of the draws (int or ``np.random.Generator``); None draws from
                torch's global generator.
        """
        self._require("latent")
        A = self._encode(X)
        codes = self._encode_condition(condition, len(A))
        if self.classes_ is not None and codes is None:
            raise InputError(f"this {type(self).__name__} was fitted with labels: pass condition=")
        g = None if random_state is None else self._torch_rng(np.random.default_rng(random_state))
        x, c = self._network_rows(A), None if codes is None else torch.as_tensor(codes).long()
        terms: dict[str, list[torch.Tensor]] = {"elbo": [], "distortion": [], "rate": []}
        with torch.no_grad():
            for start in range(0, len(A), ROWS_TIMES_SAMPLES):
                rows = slice(start, start + ROWS_TIMES_SAMPLES)
                out = self.module_(x[rows], None if c is None else c[rows], generator=g)
                terms["elbo"].append(out["elbo"])  # (B,) nats
                terms["distortion"].append(out["distortion"])
                terms["rate"].append(out["rate"].sum(0))  # (L, B) -> (B,)
        return {k: torch.cat(v).double().numpy() if v else np.zeros(0) for k, v in terms.items()}

    # ===================================================== latent-coding interface
    @property
    def latent_dims(self) -> tuple[int, ...]:
        """Sizes of the latent layers, ``z_1`` (next to the data) first."""
        self._check_fitted()
        return tuple(int(d) for d in self.module_config_["latent_dims"])

    @property
    def latent_inference(self) -> str:
        """``"bottom_up"`` when the posterior is the Markov chain ``q(z_1 | x) q(z_2 | z_1)
        ...`` (always so with one layer), ``"top_down"`` when it is ``q(z_L | x) q(z_{L-1} |
        x, z_L) ...``."""
        self._check_fitted()
        return "bottom_up" if len(self.latent_dims) == 1 else self.module_config_["inference"]

    def latent_posterior(
        self, layer: int, *, X: Any = None, z_below: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``q(z_1 | x)`` (``layer=0``, from data ``X`` in the training container) or
        ``q(z_{l+1} | z_l)`` (``layer=l+1``, from ``z_below (B, d_l)``), as ``(loc, scale)``,
        float64 ``(B, d_layer)``."""
        net, layer = self._coding_net(), self._coding_layer(layer)
        if layer == 0:
            if X is None:
                raise InputError("q(z_1 | x) needs the data: latent_posterior(0, X=...)")
            x = self.network_rows(X)
            raw = fixed_chunks(lambda r: loc_scale(net.posterior(0, h=net.ladder(r, None))), [x])
        else:
            if z_below is None:
                raise InputError(f"q(z_{layer + 1} | z_{layer}) needs z_below=")
            z = self._latent_tensor(z_below, layer - 1)
            raw = fixed_chunks(lambda t: loc_scale(net.posterior(layer, z_below=t)), [z])
        return _loc_and_scale(raw, self.latent_dims[layer])

    def latent_layer_prior(
        self, layer: int, z_above: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """``p(z_l | z_{l+1})`` from ``z_above (B, d_{l+1})`` as ``(loc, scale)``, float64
        ``(B, d_l)``; for the top layer, ``p(z_L) = N(0, I)`` as ``(1, d_L)`` arrays. (The
        name ``latent_prior`` is the hyperparameter that chooses the top prior.)"""
        net, layer = self._coding_net(), self._coding_layer(layer)
        d = self.latent_dims[layer]
        if layer == len(self.latent_dims) - 1:
            return np.zeros((1, d)), np.ones((1, d))
        if z_above is None:
            raise InputError(f"p(z_{layer + 1} | z_{layer + 2}) needs z_above")
        z = self._latent_tensor(z_above, layer + 1)
        return _loc_and_scale(fixed_chunks(lambda t: loc_scale(net.prior(layer, t)), [z]), d)

    def data_log_pmf(self, z1: np.ndarray) -> np.ndarray:
        """Log-probabilities of every level of every column under ``p(x | z_1)``, float64
        ``(B, D, L)`` for latents ``z1 (B, d_1)``; ``L`` is the most levels of a column, and
        ``-inf`` pads a column with fewer. Levels count from each column's lowest value
        (categories: codes ``0..C-1``); discrete columns only."""
        net = self._coding_net()
        spec = self.module_config_["heads"]
        if any(s["kind"] == "continuous" for s in spec):
            raise CapabilityError("data_log_pmf needs discrete columns (integer or categorical)")
        sizes = [s.get("n_categories") or s["levels"][1] - s["levels"][0] + 1 for s in spec]

        def pmf(z: torch.Tensor) -> torch.Tensor:
            params = net.likelihood(z).params.double()  # (chunk, P)
            out = params.new_full((len(z), len(sizes), max(sizes)), -float("inf"))
            for j, size in enumerate(sizes):
                out[:, j, :size] = net.heads.log_pmf(params, j)
            return out  # (chunk, D, L)

        z = self._latent_tensor(z1, 0)
        if not len(z):
            return np.zeros((0, len(sizes), max(sizes)))
        return fixed_chunks(pmf, [z]).numpy()

    def _coding_net(self) -> Any:
        """The fitted network, once the model is known to suit the latent-coding interface."""
        self._require("latent")
        if self.classes_ is not None:
            raise CapabilityError(
                "the latent-coding interface needs an unconditional model; fit without labels"
            )
        if self.latent_inference != "bottom_up":
            raise CapabilityError(
                "the latent-coding interface follows q(z_1 | x) q(z_2 | z_1) ...: fit "
                "inference='bottom_up' (this model has inference='top_down')"
            )
        return self.module_

    def _coding_layer(self, layer: int) -> int:
        n = len(self.latent_dims)
        if not isinstance(layer, int | np.integer) or isinstance(layer, bool) or not 0 <= layer < n:
            raise InputError(f"layer must be an integer in 0..{n - 1}, got {layer!r}")
        return int(layer)

    def _latent_tensor(self, z: np.ndarray, layer: int) -> torch.Tensor:
        """Latents of ``layer`` as the network reads them: float32 ``(B, d_layer)``."""
        z = np.asarray(z, dtype=np.float64)
        if z.ndim != 2 or z.shape[1] != self.latent_dims[layer]:
            raise InputError(
                f"z_{layer + 1} has shape {z.shape}; expected (B, {self.latent_dims[layer]})"
            )
        return torch.as_tensor(z, dtype=torch.float32)


def _loc_and_scale(raw: torch.Tensor, d: int) -> tuple[np.ndarray, np.ndarray]:
    """``raw (B, 2d)`` (means, then scales) as two float64 arrays ``(B, d)``."""
    if not raw.numel():
        return np.zeros((0, d)), np.zeros((0, d))
    loc, scale = raw.chunk(2, dim=-1)
    return loc.double().numpy(), scale.double().numpy()
