"""One router per job; :mod:`genlab.web.routes.common` holds what they share."""
