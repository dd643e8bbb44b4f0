"""``tf.image``."""
# ruff: noqa: F401
from ._image._color import (
    adjust_brightness as adjust_brightness, adjust_contrast as adjust_contrast,
    adjust_gamma as adjust_gamma, adjust_hue as adjust_hue,
    adjust_saturation as adjust_saturation, convert_image_dtype as convert_image_dtype,
    grayscale_to_rgb as grayscale_to_rgb, hsv_to_rgb as hsv_to_rgb,
    image_gradients as image_gradients, per_image_standardization as per_image_standardization,
    rgb_to_grayscale as rgb_to_grayscale, rgb_to_hsv as rgb_to_hsv,
    total_variation as total_variation, random_brightness as random_brightness,
    random_contrast as random_contrast, random_hue as random_hue,
    random_saturation as random_saturation)
from ._image._geometry import (
    central_crop as central_crop, crop_to_bounding_box as crop_to_bounding_box,
    flip_left_right as flip_left_right, flip_up_down as flip_up_down,
    pad_to_bounding_box as pad_to_bounding_box, random_crop as random_crop,
    random_flip_left_right as random_flip_left_right,
    random_flip_up_down as random_flip_up_down,
    resize_with_crop_or_pad as resize_with_crop_or_pad, rot90 as rot90, transpose as transpose)
from ._image._resize import (
    ResizeMethod as ResizeMethod, resize as resize, resize_with_pad as resize_with_pad)
from ._image._metrics import psnr as psnr, ssim as ssim
