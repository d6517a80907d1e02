"""Byte-level decoder-only Transformer for text and code (:class:`SequenceModel`)."""

from genlab.models.sequence.estimator import SequenceModel

__all__ = ["SequenceModel"]
