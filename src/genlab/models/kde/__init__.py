from genlab.models.kde.estimator import KDE

__all__ = ["KDE"]
