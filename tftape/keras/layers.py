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
                           MaxPool2D as MaxPool2D, MaxPooling2D as MaxPooling2D)
from ._norm_layers import (BatchNormalization as BatchNormalization,
                           LayerNormalization as LayerNormalization)
from ._layer_utils import InputSpec as InputSpec
from ._conv_nd import (Conv1D as Conv1D, Conv3D as Conv3D, Conv1DTranspose as Conv1DTranspose,
                       Conv2DTranspose as Conv2DTranspose, Conv3DTranspose as Conv3DTranspose,
                       DepthwiseConv1D as DepthwiseConv1D, DepthwiseConv2D as DepthwiseConv2D,
                       SeparableConv1D as SeparableConv1D, SeparableConv2D as SeparableConv2D)
from ._conv_nd import (Conv1D as Convolution1D, Conv3D as Convolution3D,
                       Conv1DTranspose as Convolution1DTranspose,
                       Conv2DTranspose as Convolution2DTranspose,
                       Conv3DTranspose as Convolution3DTranspose,
                       SeparableConv1D as SeparableConvolution1D,
                       SeparableConv2D as SeparableConvolution2D)
from ._pooling_layers import (
    AveragePooling1D as AveragePooling1D, AveragePooling3D as AveragePooling3D,
    GlobalAveragePooling1D as GlobalAveragePooling1D,
    GlobalAveragePooling2D as GlobalAveragePooling2D,
    GlobalAveragePooling3D as GlobalAveragePooling3D, GlobalMaxPooling1D as GlobalMaxPooling1D,
    GlobalMaxPooling2D as GlobalMaxPooling2D, GlobalMaxPooling3D as GlobalMaxPooling3D,
    MaxPooling1D as MaxPooling1D, MaxPooling3D as MaxPooling3D)
from ._pooling_layers import (
    AveragePooling1D as AvgPool1D, AveragePooling3D as AvgPool3D,
    GlobalAveragePooling1D as GlobalAvgPool1D, GlobalAveragePooling2D as GlobalAvgPool2D,
    GlobalAveragePooling3D as GlobalAvgPool3D, GlobalMaxPooling1D as GlobalMaxPool1D,
    GlobalMaxPooling2D as GlobalMaxPool2D, GlobalMaxPooling3D as GlobalMaxPool3D,
    MaxPooling1D as MaxPool1D, MaxPooling3D as MaxPool3D)
from ._rnn_cells import (GRUCell as GRUCell, LSTMCell as LSTMCell,
                         SimpleRNNCell as SimpleRNNCell)
from ._rnn_layers import (GRU as GRU, LSTM as LSTM, RNN as RNN, Bidirectional as Bidirectional,
                          SimpleRNN as SimpleRNN, StackedRNNCells as StackedRNNCells,
                          TimeDistributed as TimeDistributed, Wrapper as Wrapper)
from ._merge_layers import (Dot as Dot, average as average, dot as dot, maximum as maximum,
                            minimum as minimum, multiply as multiply, subtract as subtract)
from ._noise_layers import (AlphaDropout as AlphaDropout, GaussianDropout as GaussianDropout,
                            GaussianNoise as GaussianNoise, Masking as Masking,
                            SpatialDropout1D as SpatialDropout1D,
                            SpatialDropout2D as SpatialDropout2D,
                            SpatialDropout3D as SpatialDropout3D)
from ._reshape_layers import (Cropping1D as Cropping1D, Cropping2D as Cropping2D,
                              Cropping3D as Cropping3D, Permute as Permute,
                              RepeatVector as RepeatVector, UpSampling1D as UpSampling1D,
                              UpSampling2D as UpSampling2D, UpSampling3D as UpSampling3D,
                              ZeroPadding1D as ZeroPadding1D, ZeroPadding2D as ZeroPadding2D,
                              ZeroPadding3D as ZeroPadding3D)
from ._norm_extra import (GroupNormalization as GroupNormalization,
                          UnitNormalization as UnitNormalization)
from ._attention_layers import (AdditiveAttention as AdditiveAttention, Attention as Attention,
                                MultiHeadAttention as MultiHeadAttention)
from ._lookup_layers import IntegerLookup as IntegerLookup, StringLookup as StringLookup
from ._hashing_layers import HashedCrossing as HashedCrossing, Hashing as Hashing
from ._text_vectorization import TextVectorization as TextVectorization
from ._preprocessing import (CategoryEncoding as CategoryEncoding,
                             Discretization as Discretization, Normalization as Normalization,
                             Rescaling as Rescaling)
from ._image_preprocessing import (
    CenterCrop as CenterCrop, RandomBrightness as RandomBrightness,
    RandomContrast as RandomContrast, RandomCrop as RandomCrop, RandomFlip as RandomFlip,
    RandomRotation as RandomRotation, RandomTranslation as RandomTranslation,
    RandomZoom as RandomZoom, Resizing as Resizing)
from ._image_color import (AutoContrast as AutoContrast, Pipeline as Pipeline,
                           RandomColorDegeneration as RandomColorDegeneration,
                           RandomGrayscale as RandomGrayscale, RandomHue as RandomHue,
                           RandomInvert as RandomInvert,
                           RandomPosterization as RandomPosterization,
                           RandomSaturation as RandomSaturation,
                           Solarization as Solarization)
from ._activation_layers import (ELU as ELU, ActivityRegularization as ActivityRegularization,
                                 Identity as Identity, LeakyReLU as LeakyReLU, PReLU as PReLU,
                                 ThresholdedReLU as ThresholdedReLU)
from ._einsum_dense import EinsumDense as EinsumDense, RMSNormalization as RMSNormalization
from ._adaptive_pooling import (AdaptiveAveragePooling1D as AdaptiveAveragePooling1D,
                                AdaptiveAveragePooling2D as AdaptiveAveragePooling2D,
                                AdaptiveAveragePooling3D as AdaptiveAveragePooling3D,
                                AdaptiveMaxPooling1D as AdaptiveMaxPooling1D,
                                AdaptiveMaxPooling2D as AdaptiveMaxPooling2D,
                                AdaptiveMaxPooling3D as AdaptiveMaxPooling3D)
from ._reversible_embedding import ReversibleEmbedding as ReversibleEmbedding
from ._spectral_norm import SpectralNormalization as SpectralNormalization
from ._grouped_query_attention import GroupQueryAttention as GroupQueryAttention
from ._layer_serial import deserialize as deserialize, serialize as serialize
