"""``tf.io.gfile`` on the local file system, with TF's exception types."""
from __future__ import annotations

import glob as _glob
import os
import shutil

from .._core.errors import AlreadyExistsError, NotFoundError, PermissionDeniedError


def _path(p) -> str:
    if hasattr(p, "numpy"):
        p = p.numpy()
    p = os.fspath(p)
    return p.decode() if isinstance(p, bytes) else p


def _raise(e: OSError, path: str):
    cls = {FileNotFoundError: NotFoundError, FileExistsError: AlreadyExistsError,
           PermissionError: PermissionDeniedError}.get(type(e), NotFoundError)
    raise cls(None, None, f"{path}; {os.strerror(e.errno) if e.errno else e}") from None


def exists(path) -> bool:
    return os.path.exists(_path(path))


def isdir(path) -> bool:
    return os.path.isdir(_path(path))


def makedirs(path) -> None:
    p = _path(path)
    try:
        os.makedirs(p, exist_ok=True)
    except OSError as e:
        _raise(e, p)


def mkdir(path) -> None:
    p = _path(path)
    try:
        os.mkdir(p)
    except OSError as e:
        _raise(e, p)


def listdir(path) -> list:
    p = _path(path)
    if not os.path.isdir(p):
        raise NotFoundError(None, None, f"Could not find directory {p}")
    return os.listdir(p)


def glob(pattern) -> list:
    if isinstance(pattern, (list, tuple)):
        return [m for p in pattern for m in glob(p)]
    return sorted(_glob.glob(_path(pattern)))


def remove(path) -> None:
    p = _path(path)
    try:
        os.remove(p)
    except OSError as e:
        _raise(e, p)


def rmtree(path) -> None:
    p = _path(path)
    if not os.path.exists(p):
        raise NotFoundError(None, None, f"{p}; No such file or directory")
    shutil.rmtree(p)


def _no_overwrite(dst: str, overwrite: bool):
    if not overwrite and os.path.exists(dst):
        raise AlreadyExistsError(None, None, "file already exists")


def rename(src, dst, overwrite=False) -> None:
    s, d = _path(src), _path(dst)
    _no_overwrite(d, overwrite)
    try:
        os.replace(s, d)
    except OSError as e:
        _raise(e, s)


def copy(src, dst, overwrite=False) -> None:
    s, d = _path(src), _path(dst)
    _no_overwrite(d, overwrite)
    try:
        shutil.copyfile(s, d)
    except OSError as e:
        _raise(e, s)


class _Stat:
    def __init__(self, st, is_dir):
        self.length = st.st_size
        self.mtime_nsec = st.st_mtime_ns
        self.is_directory = is_dir


def stat(path):
    p = _path(path)
    try:
        return _Stat(os.stat(p), os.path.isdir(p))
    except OSError as e:
        _raise(e, p)


def walk(top, topdown=True, onerror=None):
    for d, subdirs, files in os.walk(_path(top), topdown=topdown):
        yield d, subdirs, files


class GFile:
    """A file object; opened on first use, as TF's ``GFile`` (which raises then)."""

    def __init__(self, name, mode="r"):
        self.name = _path(name)
        self._mode = mode
        self._f = None

    @property
    def mode(self):
        return self._mode

    def _file(self):
        if self._f is None:
            m = self._mode if "b" in self._mode else self._mode + "b"
            try:
                self._f = open(self.name, m)
            except OSError as e:
                _raise(e, self.name)
        return self._f

    def _out(self, data: bytes):
        return data if "b" in self._mode else data.decode("utf-8")

    def read(self, n=-1):
        return self._out(self._file().read(n))

    def readline(self):
        return self._out(self._file().readline())

    def readlines(self):
        return [self._out(x) for x in self._file().readlines()]

    def __iter__(self):
        return self

    def __next__(self):
        line = self.readline()
        if not line:
            raise StopIteration
        return line

    def write(self, data):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self._file().write(data)

    def seek(self, offset=None, whence=0, position=None):
        self._file().seek(position if offset is None else offset, whence)

    def tell(self):
        return self._file().tell()

    def size(self):
        return os.path.getsize(self.name)

    def flush(self):
        if self._f is not None:
            self._f.flush()

    def close(self):
        if self._f is not None:
            self._f.close()
            self._f = None

    def seekable(self):
        return True

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
