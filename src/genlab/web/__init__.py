"""``genlab serve``: a local web playground for every job (FastAPI app, static pages, no CDN).

:func:`create_app` builds the app; :mod:`genlab.web.store` holds the models (chosen by name
from a server-side list, one lock each); :mod:`genlab.web.limits` refuses oversize bodies and
slow requests; one module per job under :mod:`genlab.web.routes`.
"""

from genlab.web.app import create_app

__all__ = ["create_app"]
