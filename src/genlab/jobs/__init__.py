"""The jobs a generative model does, one folder each, named as the lecture names them:
generate, condition, density (anomaly detection, generative classifiers, model comparison),
impute, represent and compress. A job calls only the public model interface
(:class:`~genlab.GenerativeModel`); it never imports a concrete family (candidates come from
the registry by name) and never reads a model's private state."""
