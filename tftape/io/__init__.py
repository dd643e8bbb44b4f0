"""``tf.io``: files, CSV, tensor serialization, TFRecords and ``tf.train.Example`` parsing."""
# ruff: noqa: F401
from . import gfile as gfile
from .._io._csv import decode_csv as decode_csv
from .._io._files import (parse_tensor as parse_tensor, read_file as read_file,
                          serialize_tensor as serialize_tensor, write_file as write_file)
