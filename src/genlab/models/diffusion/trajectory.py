"""The denoising trajectory of a diffusion model: the states of ``sample``'s reverse pass,
from pure noise to the samples, e.g. to show how a digit emerges step by step."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from genlab.core.checks import check_count


class DiffusionTrajectory:
    """Mixin of :class:`~genlab.Diffusion`: :meth:`trajectory`."""

    def trajectory(self, n: int = 1, *, condition: Any = None, random_state: Any = None) -> list:
        """The reverse pass of ``sample(n, condition=..., random_state=...)``, step by step.

        Returns:
            ``steps + 1`` batches of ``n`` examples in the training container: the starting
            noise, the state ``x_t`` after each DDIM step (mapped onto the data's types as
            samples are: pixels rounded and clipped to the grid), and last the samples
            themselves, equal to what ``sample`` returns with the same arguments.

        Example:
            >>> import numpy as np, genlab
            >>> digits = genlab.load_dataset("digits").subset(np.arange(50))
            >>> m = genlab.Diffusion(width=8, timesteps=50, steps=5, max_epochs=1, progress=False)
            >>> states = m.fit(digits).trajectory(2, random_state=0)
            >>> len(states), states[0].shape
            (6, (2, 8, 8))
            >>> np.array_equal(states[-1], m.sample(2, random_state=0))
            True
        """
        self._require("sample")
        n = check_count("n", n)
        rng = np.random.default_rng(random_state)
        codes = self._encode_condition(condition, n)
        if self.classes_ is not None and codes is None:  # as sample: classes from the prior
            codes = rng.choice(len(self.classes_), size=n, p=np.exp(self.class_log_prior_))
        trace: list[torch.Tensor] = []
        final = self._sample(n, codes, rng, trace=trace)
        layout = self._layout()
        states = [layout.from_net(x) for x in trace[:-1]] + [final]
        return [self.schema_.decode(A) for A in states]
