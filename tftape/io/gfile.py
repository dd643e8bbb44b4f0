"""``tf.io.gfile``: the local file system through TF's file API."""
# ruff: noqa: F401
from .._io._gfile import (GFile as GFile, copy as copy, exists as exists, glob as glob,
                          isdir as isdir, listdir as listdir, makedirs as makedirs, mkdir as mkdir,
                          remove as remove, rename as rename, rmtree as rmtree, stat as stat,
                          walk as walk)
