"""One module per benchmark suite; the registry is :data:`genlab.bench.SUITES`."""
