"""Density: what ``log p(x)`` is used for — anomaly detection (:mod:`.anomaly`), generative
classifiers by Bayes' rule (:mod:`.classify`) and model comparison in nats and bits/dim
(:mod:`.compare`)."""
