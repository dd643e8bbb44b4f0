"""``tf.keras.metrics``."""
# ruff: noqa: F401
from ._losses import (
    KLD as KLD, MAE as MAE, MAPE as MAPE, MSE as MSE, MSLE as MSLE, huber as huber, kld as kld,
    kullback_leibler_divergence as kullback_leibler_divergence, logcosh as logcosh,
    mape as mape, msle as msle)
from ._losses_extra import (
    binary_focal_crossentropy as binary_focal_crossentropy,
    categorical_focal_crossentropy as categorical_focal_crossentropy,
    categorical_hinge as categorical_hinge, hinge as hinge, poisson as poisson,
    squared_hinge as squared_hinge)
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
    categorical_crossentropy as categorical_crossentropy, mae as mae, mse as mse,
    sparse_categorical_accuracy as sparse_categorical_accuracy,
    sparse_categorical_crossentropy as sparse_categorical_crossentropy)
from ._metrics_confusion import (
    AUC as AUC, FalseNegatives as FalseNegatives, FalsePositives as FalsePositives,
    Precision as Precision, PrecisionAtRecall as PrecisionAtRecall, Recall as Recall,
    RecallAtPrecision as RecallAtPrecision,
    SensitivityAtSpecificity as SensitivityAtSpecificity,
    SpecificityAtSensitivity as SpecificityAtSensitivity, TrueNegatives as TrueNegatives,
    TruePositives as TruePositives)
from ._metrics_extra import (
    BinaryIoU as BinaryIoU, CategoricalHinge as CategoricalHinge,
    ConcordanceCorrelation as ConcordanceCorrelation, CosineSimilarity as CosineSimilarity,
    F1Score as F1Score, FBetaScore as FBetaScore, Hinge as Hinge, IoU as IoU,
    KLDivergence as KLDivergence, LogCoshError as LogCoshError,
    MeanAbsolutePercentageError as MeanAbsolutePercentageError, MeanIoU as MeanIoU,
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError, OneHotIoU as OneHotIoU,
    OneHotMeanIoU as OneHotMeanIoU, PearsonCorrelation as PearsonCorrelation,
    Poisson as Poisson, R2Score as R2Score,
    SparseTopKCategoricalAccuracy as SparseTopKCategoricalAccuracy,
    SquaredHinge as SquaredHinge, TopKCategoricalAccuracy as TopKCategoricalAccuracy,
    concordance_correlation as concordance_correlation, deserialize as deserialize,
    get as get, pearson_correlation as pearson_correlation, serialize as serialize,
    sparse_top_k_categorical_accuracy as sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy as top_k_categorical_accuracy)
