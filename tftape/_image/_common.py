"""Shape checks shared by the image functions, with TF's messages."""
from __future__ import annotations

from .._core.shape import TensorShape
from .._core.tensor import Tensor, vshape


def shape_str(t: Tensor) -> str:
    return str(TensorShape(list(vshape(t))))


def check_at_least_3d(image: Tensor) -> None:
    s = vshape(image)
    if len(s) < 3:
        raise ValueError(f"'image' (shape {shape_str(image)}) must be at least three-dimensional.")
    if any(d == 0 for d in s[-3:]):
        raise ValueError(f"inner 3 dims of 'image.shape' must be > 0: {shape_str(image)}")


_NAMES = {"int8": "int8", "uint8": "uint8", "int16": "int16", "uint16": "uint16",
          "int32": "int32", "int64": "int64", "bfloat16": "bfloat16", "half": "half",
          "float": "float", "double": "double"}
_INTS = ["int8", "uint8", "int16", "uint16", "int32", "int64"]
_RESIZE_ATTRS = ("; attr=align_corners:bool,default=false; "
                 "attr=half_pixel_centers:bool,default=false")
# TF's OpDefs as its type errors print them: allowed types (in TF's order), signature, and
# what follows the type attribute.
OPDEFS = {
    "ResizeBilinear": (_INTS + ["bfloat16", "half", "float", "double", "bfloat16"],
                       "images:T, size:int32 -> resized_images:float", "", _RESIZE_ATTRS),
    "ResizeNearestNeighbor": (_INTS + ["half", "float", "double", "bfloat16"],
                              "images:T, size:int32 -> resized_images:T", "", _RESIZE_ATTRS),
    "ResizeBicubic": (_INTS + ["half", "float", "double", "bfloat16"],
                      "images:T, size:int32 -> resized_images:float", "", _RESIZE_ATTRS),
    "ResizeArea": (_INTS + ["half", "float", "double", "bfloat16"],
                   "images:T, size:int32 -> resized_images:float", "",
                   "; attr=align_corners:bool,default=false"),
    "ScaleAndTranslate": (_INTS + ["bfloat16", "half", "float", "double"],
                          "images:T, size:int32, scale:float, translation:float -> "
                          "resized_images:float", "",
                          '; attr=kernel_type:string,default="lanczos3"; '
                          "attr=antialias:bool,default=true"),
    "AdjustContrastv2": (["half", "float"], "images:T, contrast_factor:float -> output:T",
                         "default=DT_FLOAT,", ""),
    "AdjustSaturation": (["half", "float"], "images:T, scale:float -> output:T",
                         "default=DT_FLOAT,", ""),
    "AdjustHue": (["half", "float"], "images:T, delta:float -> output:T", "default=DT_FLOAT,",
                  ""),
    "RGBToHSV": (["half", "bfloat16", "float", "double"], "images:T -> output:T",
                 "default=DT_FLOAT,", ""),
    "HSVToRGB": (["half", "bfloat16", "float", "double"], "images:T -> output:T",
                 "default=DT_FLOAT,", ""),
    "Abs": (["bfloat16", "half", "float", "double", "int8", "int16", "int32", "int64"],
            "x:T -> y:T", "", ""),
}


def check_type(tf_name: str, dtype) -> None:
    """Raises TF's InvalidArgumentError for a dtype ``tf_name``'s OpDef does not allow."""
    from .._core import dtypes as _d
    from .._core.errors import op_error
    allowed, sig, default, tail = OPDEFS[tf_name]
    name = _d.TF_TYPE_NAMES[dtype]
    if name in allowed:
        return
    enums = ", ".join("DT_" + a.upper() for a in allowed)
    raise op_error(tf_name, f"Value for attr 'T' of {name} is not in the list of allowed values: "
                            f"{', '.join(allowed)}\n\t; NodeDef: {{{{node {tf_name}}}}}; "
                            f"Op<name={tf_name}; signature={sig}; attr=T:type,{default}"
                            f"allowed=[{enums}]{tail}>")
