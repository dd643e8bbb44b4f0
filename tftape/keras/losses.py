"""``tf.keras.losses``."""
# ruff: noqa: F401
from ._losses import (
    BinaryCrossentropy as BinaryCrossentropy,
    CategoricalCrossentropy as CategoricalCrossentropy, Huber as Huber,
    KLD as KLD, KLDivergence as KLDivergence, LogCosh as LogCosh, Loss as Loss, MAE as MAE,
    MAPE as MAPE, MSE as MSE, MSLE as MSLE, MeanAbsoluteError as MeanAbsoluteError,
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
    MeanSquaredError as MeanSquaredError,
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
    binary_crossentropy as binary_crossentropy,
    categorical_crossentropy as categorical_crossentropy,
    huber as huber, kld as kld, kullback_leibler_divergence as kullback_leibler_divergence,
    logcosh as logcosh, mae as mae, mape as mape, mse as mse, msle as msle,
    sparse_categorical_crossentropy as sparse_categorical_crossentropy)
from ._losses_ctc import CTC as CTC, ctc as ctc
from ._losses_extra import (
    BinaryFocalCrossentropy as BinaryFocalCrossentropy,
    CategoricalFocalCrossentropy as CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy as CategoricalGeneralizedCrossEntropy,
    CategoricalHinge as CategoricalHinge, Circle as Circle,
    CosineSimilarity as CosineSimilarity, Dice as Dice,
    Hinge as Hinge, Poisson as Poisson, Reduction as Reduction,
    SquaredHinge as SquaredHinge, Tversky as Tversky,
    binary_focal_crossentropy as binary_focal_crossentropy,
    categorical_focal_crossentropy as categorical_focal_crossentropy,
    categorical_generalized_cross_entropy as categorical_generalized_cross_entropy,
    categorical_hinge as categorical_hinge, circle as circle,
    cosine_similarity as cosine_similarity,
    deserialize as deserialize, dice as dice, get as get, hinge as hinge, poisson as poisson,
    serialize as serialize, squared_hinge as squared_hinge, tversky as tversky)
