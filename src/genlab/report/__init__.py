"""Reports and their pictures, shared by ``genlab tour``, ``genlab bench`` and the CLI.

* :mod:`~genlab.report.html`: a report as sections (text, code, figures, tables), written as one
  self-contained ``index.html`` (images embedded, no script, no network) and as ``report.md``;
  also the bench's ``results.json`` as a report.
* :mod:`~genlab.report.markdown`: markdown tables of benchmark results.
* :mod:`~genlab.report.figures`: sample grids, interpolation strips, latent maps, density
  contours and the calibration of multiple imputation, as matplotlib figures.
* :mod:`~genlab.report.charts`: ROC curves, confusion matrices, bits per pixel, model
  comparisons and imputation errors, as matplotlib figures.
* :mod:`~genlab.report.grids`: images tiled into one uint8 picture (a ``.png`` of samples).

Every figure is drawn without pyplot's global state, so reports are made in tests, threads and
on machines without a display.
"""
