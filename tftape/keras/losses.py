"""``tf.keras.losses``."""
# ruff: noqa: F401
from ._losses import (
    BinaryCrossentropy as BinaryCrossentropy,
    CategoricalCrossentropy as CategoricalCrossentropy, Hinge as Hinge, Huber as Huber,
    KLD as KLD, KLDivergence as KLDivergence, LogCosh as LogCosh, Loss as Loss, MAE as MAE,
    MAPE as MAPE, MSE as MSE, MSLE as MSLE, MeanAbsoluteError as MeanAbsoluteError,
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
    MeanSquaredError as MeanSquaredError,
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
    binary_crossentropy as binary_crossentropy,
    categorical_crossentropy as categorical_crossentropy, get as get, hinge as hinge,
    huber as huber, kld as kld, kullback_leibler_divergence as kullback_leibler_divergence,
    logcosh as logcosh, mae as mae, mape as mape, mse as mse, msle as msle,
    serialize as serialize, sparse_categorical_crossentropy as sparse_categorical_crossentropy)
