"""Data: bundled datasets, readers, schemas and missingness masks."""

from genlab.data import masks
from genlab.data.datasets import DATASETS, Dataset, load_dataset
from genlab.data.schema import Column, Schema, infer_schema
from genlab.data.sources import open_data

__all__ = [
    "DATASETS",
    "Column",
    "Dataset",
    "Schema",
    "infer_schema",
    "load_dataset",
    "masks",
    "open_data",
]
