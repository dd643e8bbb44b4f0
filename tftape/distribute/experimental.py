"""``tf.distribute.experimental``."""
# ruff: noqa: F401
import enum

from ._cluster import MultiWorkerMirroredStrategy as MultiWorkerMirroredStrategy
from ._input import ValueContext as ValueContext


class CommunicationImplementation(enum.Enum):
    AUTO = "AUTO"
    RING = "RING"
    NCCL = "NCCL"


CollectiveCommunication = CommunicationImplementation


class CommunicationOptions:
    def __init__(self, bytes_per_pack=0, timeout_seconds=None,
                 implementation=CommunicationImplementation.AUTO):
        self.bytes_per_pack = bytes_per_pack
        self.timeout_seconds = timeout_seconds
        self.implementation = implementation
