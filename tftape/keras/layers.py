"""``tf.keras.layers``."""
# ruff: noqa: F401
from ._layer import Layer as Layer, KerasTensor as KerasTensor
from ._core_layers import (Activation as Activation, Add as Add, Average as Average,
                           Concatenate as Concatenate, Dense as Dense, Dropout as Dropout,
                           Embedding as Embedding, Flatten as Flatten, Input as Input,
                           InputLayer as InputLayer, Lambda as Lambda, Maximum as Maximum,
                           Minimum as Minimum, Multiply as Multiply, ReLU as ReLU,
                           Reshape as Reshape, Softmax as Softmax, Subtract as Subtract,
                           add as add, concatenate as concatenate)
from ._conv_layers import (AveragePooling2D as AveragePooling2D, AvgPool2D as AvgPool2D,
                           Conv2D as Conv2D, Convolution2D as Convolution2D,
                           GlobalAveragePooling2D as GlobalAveragePooling2D,
                           MaxPool2D as MaxPool2D, MaxPooling2D as MaxPooling2D)
from ._norm_layers import (BatchNormalization as BatchNormalization,
                           LayerNormalization as LayerNormalization)
