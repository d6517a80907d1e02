"""The uses of a density, built only on model methods (DESIGN.md: a task never imports a
concrete family): anomaly detection, generative classifiers, model comparison, imputation."""
