"""``tf.keras.metrics``."""
# ruff: noqa: F401
from ._metrics import (
    Accuracy as Accuracy, BinaryAccuracy as BinaryAccuracy,
    BinaryCrossentropy as BinaryCrossentropy, CategoricalAccuracy as CategoricalAccuracy,
    CategoricalCrossentropy as CategoricalCrossentropy, Mean as Mean,
    MeanAbsoluteError as MeanAbsoluteError, MeanMetricWrapper as MeanMetricWrapper,
    MeanSquaredError as MeanSquaredError, Metric as Metric,
    RootMeanSquaredError as RootMeanSquaredError,
    SparseCategoricalAccuracy as SparseCategoricalAccuracy,
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy, Sum as Sum,
    binary_accuracy as binary_accuracy, binary_crossentropy as binary_crossentropy,
    categorical_accuracy as categorical_accuracy,
    categorical_crossentropy as categorical_crossentropy, get as get, mae as mae, mse as mse,
    sparse_categorical_accuracy as sparse_categorical_accuracy,
    sparse_categorical_crossentropy as sparse_categorical_crossentropy)
