"""``tf.io``: files, CSV, tensor serialization, TFRecords and ``tf.train.Example`` parsing."""
# ruff: noqa: F401
from . import gfile as gfile
from .._io._codec import (decode_base64 as decode_base64, decode_raw as decode_raw,
                          encode_base64 as encode_base64)
from .._io._csv import decode_csv as decode_csv
from .._io._files import (parse_tensor as parse_tensor, read_file as read_file,
                          serialize_tensor as serialize_tensor, write_file as write_file)
from .._io._parse import (FixedLenFeature as FixedLenFeature, VarLenFeature as VarLenFeature,
                          parse_example as parse_example,
                          parse_single_example as parse_single_example)
from .._io._tfrecord import TFRecordOptions as TFRecordOptions, TFRecordWriter as TFRecordWriter
