from genlab.models.flow.estimator import Flow

__all__ = ["Flow"]
