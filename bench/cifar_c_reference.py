#!/usr/bin/python3
"""Reference CIFAR-C corruptions, for comparison with `fourier-augmix corrupt`.

Re-states the per-severity formulas and constants of Hendrycks & Dietterich's make_cifar_c.py,
make_tinyimagenet_c.py and make_imagenet_c.py (hendrycks/robustness, ImageNet-C/create_c) with the same library calls, run through Debian's
packages (bookworm: numpy 1.24, scipy 1.10, scikit-image 0.19, OpenCV 4.6, Pillow 9.4, Wand with
ImageMagick 6.9). Written from the original's documented behaviour, not copied from it.

Usage (Debian's interpreter, not a virtualenv):
  /usr/bin/python3 bench/cifar_c_reference.py --input data/cifar10-mini --count 100 --seed 0 --output /tmp/ref0

--preset tiny-imagenet or imagenet uses the constants of make_tinyimagenet_c.py or
make_imagenet_c.py instead (the images must then be 64 x 64 or 224 x 224: --images reads an image
folder).

Writes <output>/<corruption>.npy (uint8, 5N x H x W x 3, severity-major) and labels.npy, the
layout of the published CIFAR-10-C. frost is written only when --frost-dir holds frost1..frost5.

--replay: instead of numpy's generator, np.random.uniform / normal / randint read the arrays
u.npy (uniform [0, 1) doubles), z.npy (standard normals) and ints.npy (offsets in {-1, 0}; other
randint ranges take low + floor((high - low) u) from u.npy) written
to the output folder, restarting at their beginning for every image, so a caller can feed the very
same draws to another implementation (bench/cifarCCompare.ts does) and compare pixel for pixel.
"""
import argparse
import json
import time
import warnings
import ctypes
import os
from io import BytesIO

# numpy's AVX-512 exp can differ from libm's by an ulp (exp(-2), exp(-8)), which moves a value that
# lands on a whole level across it. Without it numpy computes as on machines without AVX-512, and
# as it did when the originals were generated. Set before numpy is imported.
os.environ.setdefault('NPY_DISABLE_CPU_FEATURES', 'AVX512F AVX512CD AVX512_SKX')

import cv2
import numpy as np
import skimage as sk
from PIL import Image
from scipy.ndimage import map_coordinates
from scipy.ndimage import zoom as nd_zoom
from skimage.filters import gaussian
from wand.api import library as wand_library
from wand.image import Image as WandImage

warnings.simplefilter("ignore")
wand_library.MagickMotionBlurImage.argtypes = (ctypes.c_void_p, ctypes.c_double, ctypes.c_double, ctypes.c_double)


# Per-severity constants of make_cifar_c.py, make_tinyimagenet_c.py and make_imagenet_c.py.
CONSTANTS = {
    'cifar': {
        'gaussian_noise': (0.04, 0.06, 0.08, 0.09, 0.10),
        'shot_noise': (500, 250, 100, 75, 50),
        'impulse_noise': (0.01, 0.02, 0.03, 0.05, 0.07),
        'speckle_noise': (0.06, 0.1, 0.12, 0.16, 0.2),
        'gaussian_blur': (0.4, 0.6, 0.7, 0.8, 1.0),
        'glass_blur': ((0.05, 1, 1), (0.25, 1, 1), (0.4, 1, 1), (0.25, 1, 2), (0.4, 1, 2)),
        'defocus_blur': ((0.3, 0.4), (0.4, 0.5), (0.5, 0.6), (1, 0.2), (1.5, 0.1)),
        'motion_blur': ((6, 1), (6, 1.5), (6, 2), (8, 2), (9, 2.5)),
        'zoom_blur': ((1.06, 0.01), (1.11, 0.01), (1.16, 0.01), (1.21, 0.01), (1.26, 0.01)),
        'fog': ((0.2, 3), (0.5, 3), (0.75, 2.5), (1, 2), (1.5, 1.75)),
        'frost': ((1, 0.2), (1, 0.3), (0.9, 0.4), (0.85, 0.4), (0.75, 0.45)),
        'snow': ((0.1, 0.2, 1, 0.6, 8, 3, 0.95), (0.1, 0.2, 1, 0.5, 10, 4, 0.9), (0.15, 0.3, 1.75, 0.55, 10, 4, 0.9),
                 (0.25, 0.3, 2.25, 0.6, 12, 6, 0.85), (0.3, 0.3, 1.25, 0.65, 14, 12, 0.8)),
        'spatter': ((0.62, 0.1, 0.7, 0.7, 0.5, 0), (0.65, 0.1, 0.8, 0.7, 0.5, 0), (0.65, 0.3, 1, 0.69, 0.5, 0),
                    (0.65, 0.1, 0.7, 0.69, 0.6, 1), (0.65, 0.1, 0.5, 0.68, 0.6, 1)),
        'contrast': (0.75, 0.5, 0.4, 0.3, 0.15),
        'brightness': (0.05, 0.1, 0.15, 0.2, 0.3),
        'saturate': ((0.3, 0), (0.1, 0), (1.5, 0), (2, 0.1), (2.5, 0.2)),
        'jpeg_compression': (80, 65, 58, 50, 40),
        'pixelate': (0.95, 0.9, 0.85, 0.75, 0.65),
        'elastic_transform': ((0, 0, 0.08), (0.05, 0.2, 0.07), (0.08, 0.06, 0.06), (0.1, 0.04, 0.05), (0.1, 0.03, 0.03)),
    },
    'tiny-imagenet': {
        'gaussian_noise': (0.04, 0.08, 0.12, 0.15, 0.18),
        'shot_noise': (250, 100, 50, 30, 15),
        'impulse_noise': (0.01, 0.02, 0.05, 0.08, 0.14),
        'speckle_noise': (0.15, 0.2, 0.25, 0.3, 0.35),
        'gaussian_blur': (0.5, 0.75, 1, 1.25, 1.5),
        'glass_blur': ((0.1, 1, 1), (0.5, 1, 1), (0.6, 1, 2), (0.7, 2, 1), (0.9, 2, 2)),
        'defocus_blur': ((0.5, 0.6), (1, 0.1), (1.5, 0.1), (2.5, 0.01), (3, 0.1)),
        'motion_blur': ((10, 1), (10, 1.5), (10, 2), (10, 2.5), (12, 3)),
        'zoom_blur': ((1.06, 0.01), (1.11, 0.01), (1.16, 0.01), (1.21, 0.01), (1.26, 0.01)),
        'fog': ((0.4, 3), (0.7, 3), (1, 2.5), (1.5, 2), (2, 1.75)),
        'frost': ((1, 0.3), (0.9, 0.4), (0.8, 0.45), (0.75, 0.5), (0.7, 0.55)),
        'snow': ((0.1, 0.2, 1, 0.6, 8, 3, 0.8), (0.1, 0.2, 1, 0.5, 10, 4, 0.8), (0.15, 0.3, 1.75, 0.55, 10, 4, 0.7),
                 (0.25, 0.3, 2.25, 0.6, 12, 6, 0.65), (0.3, 0.3, 1.25, 0.65, 14, 12, 0.6)),
        'spatter': ((0.62, 0.1, 0.7, 0.7, 0.6, 0), (0.65, 0.1, 0.8, 0.7, 0.6, 0), (0.65, 0.3, 1, 0.69, 0.6, 0),
                    (0.65, 0.1, 0.7, 0.68, 0.6, 1), (0.65, 0.1, 0.5, 0.67, 0.6, 1)),
        'contrast': (0.4, 0.3, 0.2, 0.1, 0.05),
        'brightness': (0.1, 0.2, 0.3, 0.4, 0.5),
        'saturate': ((0.3, 0), (0.1, 0), (2, 0), (5, 0.1), (30, 0.2)),
        'jpeg_compression': (65, 58, 50, 40, 25),
        'pixelate': (0.9, 0.8, 0.7, 0.6, 0.5),
        'elastic_transform': ((0, 0, 0.08), (0.05, 0.3, 0.06), (0.1, 0.08, 0.06), (0.1, 0.03, 0.03), (0.16, 0.03, 0.02)),
    },
    'imagenet': {
        'gaussian_noise': (0.08, 0.12, 0.18, 0.26, 0.38),
        'shot_noise': (60, 25, 12, 5, 3),
        'impulse_noise': (0.03, 0.06, 0.09, 0.17, 0.27),
        'speckle_noise': (0.15, 0.2, 0.35, 0.45, 0.6),
        'gaussian_blur': (1, 2, 3, 4, 6),
        'glass_blur': ((0.7, 1, 2), (0.9, 2, 1), (1, 2, 3), (1.1, 3, 2), (1.5, 4, 2)),
        'defocus_blur': ((3, 0.1), (4, 0.5), (6, 0.5), (8, 0.5), (10, 0.5)),
        'motion_blur': ((10, 3), (15, 5), (15, 8), (15, 12), (20, 15)),
        'zoom_blur': ((1.11, 0.01), (1.16, 0.01), (1.21, 0.02), (1.26, 0.02), (1.31, 0.03)),
        'fog': ((1.5, 2), (2, 2), (2.5, 1.7), (2.5, 1.5), (3, 1.4)),
        'frost': ((1, 0.4), (0.8, 0.6), (0.7, 0.7), (0.65, 0.7), (0.6, 0.75)),
        'snow': ((0.1, 0.3, 3, 0.5, 10, 4, 0.8), (0.2, 0.3, 2, 0.5, 12, 4, 0.7), (0.55, 0.3, 4, 0.9, 12, 8, 0.7),
                 (0.55, 0.3, 4.5, 0.85, 12, 8, 0.65), (0.55, 0.3, 2.5, 0.85, 12, 12, 0.55)),
        'spatter': ((0.65, 0.3, 4, 0.69, 0.6, 0), (0.65, 0.3, 3, 0.68, 0.6, 0), (0.65, 0.3, 2, 0.68, 0.5, 0),
                    (0.65, 0.3, 1, 0.65, 1.5, 1), (0.67, 0.4, 1, 0.65, 1.5, 1)),
        'contrast': (0.4, 0.3, 0.2, 0.1, 0.05),
        'brightness': (0.1, 0.2, 0.3, 0.4, 0.5),
        'saturate': ((0.3, 0), (0.1, 0), (2, 0), (5, 0.1), (20, 0.2)),
        'jpeg_compression': (25, 18, 15, 10, 7),
        'pixelate': (0.6, 0.5, 0.4, 0.3, 0.25),
        'elastic_transform': ((2, 0.7, 0.1), (2, 0.08, 0.2), (0.05, 0.01, 0.02), (0.07, 0.01, 0.02), (0.12, 0.01, 0.02)),
    },
}
# The image side of each preset; elastic_transform's multiplier (ImageNet-C's 244 for 224 images, as
# the original); the frost images' scale; the fog map's size.
SIDE = {'cifar': 32, 'tiny-imagenet': 64, 'imagenet': 224}
IMSIZE = {'cifar': 32, 'tiny-imagenet': 64, 'imagenet': 244}
FROST_SCALE = {'cifar': 0.2, 'tiny-imagenet': 0.3, 'imagenet': 1}
PLASMA_SIZE = {'cifar': 32, 'tiny-imagenet': 64, 'imagenet': 256}
PRESET = 'cifar'


def const(name, s):
    return CONSTANTS[PRESET][name][s - 1]


def to_unit(img):
    return np.asarray(img) / 255.0


def magick_motion_blur(png_bytes, radius, sigma, angle):
    with WandImage(blob=png_bytes) as w:
        wand_library.MagickMotionBlurImage(w.wand, radius, sigma, angle)
        return cv2.imdecode(np.frombuffer(w.make_blob(), np.uint8), cv2.IMREAD_UNCHANGED)


def gaussian_noise(img, s):
    c = const('gaussian_noise', s)
    x = to_unit(img)
    return np.clip(x + np.random.normal(size=x.shape, scale=c), 0, 1) * 255


def shot_noise(img, s):
    c = const('shot_noise', s)
    x = to_unit(img)
    return np.clip(np.random.poisson(x * c) / c, 0, 1) * 255


def impulse_noise(img, s):
    c = const('impulse_noise', s)
    return np.clip(sk.util.random_noise(to_unit(img), mode='s&p', amount=c), 0, 1) * 255


def speckle_noise(img, s):
    c = const('speckle_noise', s)
    x = to_unit(img)
    return np.clip(x + x * np.random.normal(size=x.shape, scale=c), 0, 1) * 255


def gaussian_blur(img, s):
    c = const('gaussian_blur', s)
    return np.clip(gaussian(to_unit(img), sigma=c, multichannel=True), 0, 1) * 255


def glass_blur(img, s):
    sigma, delta, iterations = const('glass_blur', s)
    x = np.uint8(gaussian(to_unit(img), sigma=sigma, multichannel=True) * 255)
    for _ in range(iterations):
        for h in range(x.shape[0] - delta, delta, -1):
            for w in range(x.shape[1] - delta, delta, -1):
                dx, dy = np.random.randint(-delta, delta, size=(2,))
                # The original's tuple swap on numpy views: a copy of (h', w') into (h, w).
                x[h, w], x[h + dy, w + dx] = x[h + dy, w + dx], x[h, w]
    return np.clip(gaussian(x / 255.0, sigma=sigma, multichannel=True), 0, 1) * 255


def disk_kernel(radius, alias_blur):
    r = np.arange(-8, 9) if radius <= 8 else np.arange(-radius, radius + 1)
    ksize = (3, 3) if radius <= 8 else (5, 5)
    xx, yy = np.meshgrid(r, r)
    k = np.array(xx ** 2 + yy ** 2 <= radius ** 2, dtype=np.float32)
    k /= np.sum(k)
    return cv2.GaussianBlur(k, ksize=ksize, sigmaX=alias_blur)


def defocus_blur(img, s):
    radius, alias = const('defocus_blur', s)
    x = to_unit(img)
    k = disk_kernel(radius, alias)
    out = np.stack([cv2.filter2D(x[:, :, d], -1, k) for d in range(3)], axis=2)
    return np.clip(out, 0, 1) * 255


def motion_blur(img, s):
    radius, sigma = const('motion_blur', s)
    buf = BytesIO()
    img.save(buf, format='PNG')
    x = magick_motion_blur(buf.getvalue(), radius, sigma, np.random.uniform(-45, 45))
    if x.ndim == 3:
        return np.clip(x[..., [2, 1, 0]], 0, 255)
    return np.clip(np.stack([x, x, x], axis=2), 0, 255)


def clipped_zoom(x, z):
    h = x.shape[0]
    ch = int(np.ceil(h / z))
    top = (h - ch) // 2
    out = nd_zoom(x[top:top + ch, top:top + ch], (z, z, 1), order=1)
    t = (out.shape[0] - h) // 2
    return out[t:t + h, t:t + h]


def zoom_blur(img, s):
    stop, step = const('zoom_blur', s)
    x = to_unit(img).astype(np.float32)
    acc = np.zeros_like(x)
    factors = np.arange(1, stop, step)
    for z in factors:
        acc += clipped_zoom(x, z)
    return np.clip((x + acc) / (len(factors) + 1), 0, 1) * 255


def plasma(size, decay):
    m = np.empty((size, size), dtype=np.float64)
    m[0, 0] = 0
    step, wibble = size, 100.0

    def noisy_mean(a):
        return a / 4 + wibble * np.random.uniform(-wibble, wibble, a.shape)

    while step >= 2:
        half = step // 2
        corners = m[0:size:step, 0:size:step]
        sq = corners + np.roll(corners, -1, axis=0)
        sq += np.roll(sq, -1, axis=1)
        m[half:size:step, half:size:step] = noisy_mean(sq)
        dr = m[half:size:step, half:size:step]
        ul = m[0:size:step, 0:size:step]
        m[0:size:step, half:size:step] = noisy_mean(dr + np.roll(dr, 1, axis=0) + (ul + np.roll(ul, -1, axis=1)))
        m[half:size:step, 0:size:step] = noisy_mean(dr + np.roll(dr, 1, axis=1) + (ul + np.roll(ul, -1, axis=0)))
        step //= 2
        wibble /= decay
    m -= m.min()
    return m / m.max()


def fog(img, s):
    c, decay = const('fog', s)
    x = to_unit(img)
    top = x.max()
    h, w = x.shape[:2]
    x += c * plasma(PLASMA_SIZE[PRESET], decay)[:h, :w][..., np.newaxis]
    return np.clip(x * top / (top + c), 0, 1) * 255


def frost(img, s, frost_dir):
    c = const('frost', s)
    name = ('frost1.png', 'frost2.png', 'frost3.png', 'frost4.jpg', 'frost5.jpg')[np.random.randint(5)]
    f = cv2.imread(os.path.join(frost_dir, name))
    if FROST_SCALE[PRESET] != 1:
        f = cv2.resize(f, (0, 0), fx=FROST_SCALE[PRESET], fy=FROST_SCALE[PRESET])
    h, w = np.asarray(img).shape[:2]
    y0, x0 = np.random.randint(0, f.shape[0] - h), np.random.randint(0, f.shape[1] - w)
    f = f[y0:y0 + h, x0:x0 + w][..., [2, 1, 0]]
    return np.clip(c[0] * np.asarray(img) + c[1] * f, 0, 255)


def snow(img, s):
    c = const('snow', s)
    x = np.asarray(img, dtype=np.float32) / 255.0
    layer = np.random.normal(size=x.shape[:2], loc=c[0], scale=c[1])
    layer = clipped_zoom(layer[..., np.newaxis], c[2])
    layer[layer < c[3]] = 0
    png = Image.fromarray((np.clip(layer.squeeze(), 0, 1) * 255).astype(np.uint8), mode='L')
    buf = BytesIO()
    png.save(buf, format='PNG')
    layer = magick_motion_blur(buf.getvalue(), c[4], c[5], np.random.uniform(-135, -45)) / 255.0
    layer = layer[..., np.newaxis]
    grey = cv2.cvtColor(x, cv2.COLOR_RGB2GRAY).reshape(x.shape[0], x.shape[1], 1)
    x = c[6] * x + (1 - c[6]) * np.maximum(x, grey * 1.5 + 0.5)
    return np.clip(x + layer + np.rot90(layer, k=2), 0, 1) * 255


def spatter(img, s):
    c = const('spatter', s)
    x = np.asarray(img, dtype=np.float32) / 255.0
    liquid = gaussian(np.random.normal(size=x.shape[:2], loc=c[0], scale=c[1]), sigma=c[2])
    liquid[liquid < c[3]] = 0
    if c[5] == 0:
        liquid = (liquid * 255).astype(np.uint8)
        dist = cv2.distanceTransform(255 - cv2.Canny(liquid, 50, 150), cv2.DIST_L2, 5)
        _, dist = cv2.threshold(dist, 20, 20, cv2.THRESH_TRUNC)
        dist = cv2.equalizeHist(cv2.blur(dist, (3, 3)).astype(np.uint8))
        dist = cv2.filter2D(dist, cv2.CV_8U, np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]))
        dist = cv2.blur(dist, (3, 3)).astype(np.float32)
        m = cv2.cvtColor(liquid * dist, cv2.COLOR_GRAY2BGRA)
        m /= np.max(m, axis=(0, 1))
        m *= c[4]
        ones = np.ones_like(m[..., :1])
        colour = cv2.cvtColor(np.concatenate((175 / 255.0 * ones, 238 / 255.0 * ones, 238 / 255.0 * ones), axis=2), cv2.COLOR_BGR2BGRA)
        x = cv2.cvtColor(x, cv2.COLOR_BGR2BGRA)
        return cv2.cvtColor(np.clip(x + m * colour, 0, 1), cv2.COLOR_BGRA2BGR) * 255
    m = gaussian(np.where(liquid > c[3], 1, 0).astype(np.float32), sigma=c[4])
    m[m < 0.8] = 0
    ones = np.ones_like(x[..., :1])
    colour = np.concatenate((63 / 255.0 * ones, 42 / 255.0 * ones, 20 / 255.0 * ones), axis=2) * m[..., np.newaxis]
    return np.clip(x * (1 - m[..., np.newaxis]) + colour, 0, 1) * 255


def contrast(img, s):
    c = const('contrast', s)
    x = to_unit(img)
    means = np.mean(x, axis=(0, 1), keepdims=True)
    return np.clip((x - means) * c + means, 0, 1) * 255


def brightness(img, s):
    c = const('brightness', s)
    x = sk.color.rgb2hsv(to_unit(img))
    x[:, :, 2] = np.clip(x[:, :, 2] + c, 0, 1)
    return np.clip(sk.color.hsv2rgb(x), 0, 1) * 255


def saturate(img, s):
    a, b = const('saturate', s)
    x = sk.color.rgb2hsv(to_unit(img))
    x[:, :, 1] = np.clip(x[:, :, 1] * a + b, 0, 1)
    return np.clip(sk.color.hsv2rgb(x), 0, 1) * 255


def jpeg_compression(img, s):
    buf = BytesIO()
    img.save(buf, 'JPEG', quality=const('jpeg_compression', s))
    return Image.open(buf)


def pixelate(img, s):
    c = const('pixelate', s)
    side = SIDE[PRESET]
    return img.resize((int(side * c), int(side * c)), Image.BOX).resize((side, side), Image.BOX)


def elastic_transform(img, s):
    size = IMSIZE[PRESET]
    alpha, sigma, jitter = (size * v for v in const('elastic_transform', s))
    x = np.array(img, dtype=np.float32) / 255.0
    shape = x.shape
    centre = np.float32(shape[:2]) // 2
    half = min(shape[:2]) // 3
    pts1 = np.float32([centre + half, [centre[0] + half, centre[1] - half], centre - half])
    pts2 = pts1 + np.random.uniform(-jitter, jitter, size=pts1.shape).astype(np.float32)
    x = cv2.warpAffine(x, cv2.getAffineTransform(pts1, pts2), shape[:2][::-1], borderMode=cv2.BORDER_REFLECT_101)
    dx = (gaussian(np.random.uniform(-1, 1, size=shape[:2]), sigma, mode='reflect', truncate=3) * alpha).astype(np.float32)
    dy = (gaussian(np.random.uniform(-1, 1, size=shape[:2]), sigma, mode='reflect', truncate=3) * alpha).astype(np.float32)
    gx, gy, gz = np.meshgrid(np.arange(shape[1]), np.arange(shape[0]), np.arange(shape[2]))
    coords = (np.reshape(gy + dy[..., None], (-1, 1)), np.reshape(gx + dx[..., None], (-1, 1)), np.reshape(gz, (-1, 1)))
    return np.clip(map_coordinates(x, coords, order=1, mode='reflect').reshape(shape), 0, 1) * 255


CORRUPTIONS = {
    'gaussian_noise': gaussian_noise, 'shot_noise': shot_noise, 'impulse_noise': impulse_noise,
    'defocus_blur': defocus_blur, 'glass_blur': glass_blur, 'motion_blur': motion_blur, 'zoom_blur': zoom_blur,
    'snow': snow, 'frost': frost, 'fog': fog, 'brightness': brightness, 'contrast': contrast,
    'elastic_transform': elastic_transform, 'pixelate': pixelate, 'jpeg_compression': jpeg_compression,
    'gaussian_blur': gaussian_blur, 'saturate': saturate, 'spatter': spatter, 'speckle_noise': speckle_noise,
}


def read_image_folder(folder, count):
    """An ImageFolder tree (<class>/<image>), classes and files sorted by name, as RGB arrays."""
    images, labels = [], []
    for label, cls in enumerate(sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))):
        for name in sorted(os.listdir(os.path.join(folder, cls))):
            with Image.open(os.path.join(folder, cls, name)) as im:
                images.append(np.asarray(im.convert('RGB')))
            labels.append(label)
    return images[:count], np.array(labels[:count])


def read_cifar10_test(folder, count):
    raw = np.fromfile(os.path.join(folder, 'test_batch.bin'), dtype=np.uint8).reshape(-1, 3073)[:count]
    return raw[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1).copy(), raw[:, 0].copy()


class Replay:
    """Stands in for numpy's global generator with recorded draws (see --replay)."""

    def __init__(self, folder, seed, n=1 << 20):
        rs = np.random.RandomState(seed)
        self.u, self.z, self.ints = rs.random_sample(n), rs.standard_normal(n), rs.randint(-1, 1, size=n).astype(np.int32)
        np.save(os.path.join(folder, 'u.npy'), self.u)
        np.save(os.path.join(folder, 'z.npy'), self.z)
        np.save(os.path.join(folder, 'ints.npy'), self.ints)
        self.restart()

    def restart(self):
        self.iu = self.iz = self.ii = 0

    def _take(self, arr, attr, size):
        n = 1 if size is None else int(np.prod(size))
        i = getattr(self, attr)
        setattr(self, attr, i + n)
        v = arr[i:i + n]
        return float(v[0]) if size is None else v.reshape(size)

    def uniform(self, low=0.0, high=1.0, size=None):
        return low + (high - low) * self._take(self.u, 'iu', size)

    def normal(self, loc=0.0, scale=1.0, size=None):
        return loc + scale * self._take(self.z, 'iz', size)

    def randint(self, low, high=None, size=None):
        if (low, high) == (-1, 1):
            return self._take(self.ints, 'ii', size)
        # Other ranges (frost, glass_blur's wider offsets): low + floor((high - low) u) from the uniform array.
        if high is None:
            low, high = 0, low
        v = low + np.floor((high - low) * self._take(self.u, 'iu', size))
        return int(v) if size is None else v.astype(np.int64)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--input', required=True, help='CIFAR-10 binary folder (test_batch.bin), or with --images an image folder')
    p.add_argument('--images', action='store_true', help='--input is an image folder (<class>/<image>) of one size')
    p.add_argument('--preset', default='cifar', choices=sorted(CONSTANTS), help="whose constants (the images must have its size)")
    p.add_argument('--output', required=True)
    p.add_argument('--count', type=int, default=100, help='first N test images')
    p.add_argument('--seed', type=int, default=0, help="numpy's global seed, set once per corruption")
    p.add_argument('--corruptions', default=','.join(CORRUPTIONS), help='comma-separated names')
    p.add_argument('--frost-dir', default=None, help='folder with frost1.png .. frost5.jpg of hendrycks/robustness')
    p.add_argument('--replay', action='store_true', help='draw from recorded arrays saved beside the output (see above)')
    p.add_argument('--timings', default=None, help='write {corruption: seconds} (the corruption loop alone, no start-up or saving) to this JSON file')
    a = p.parse_args()
    global PRESET
    PRESET = a.preset
    images, labels = read_image_folder(a.input, a.count) if a.images else read_cifar10_test(a.input, a.count)
    os.makedirs(a.output, exist_ok=True)
    replay = None
    if a.replay:
        replay = Replay(a.output, a.seed)
        np.random.uniform, np.random.normal, np.random.randint = replay.uniform, replay.normal, replay.randint
    np.save(os.path.join(a.output, 'labels.npy'), np.tile(labels, 5).astype(np.uint8))
    timings = {}
    for name in a.corruptions.split(','):
        if name == 'frost' and not a.frost_dir:
            print('skip frost: no --frost-dir')
            continue
        fn = CORRUPTIONS[name]
        np.random.seed(a.seed)
        out = []
        started = time.perf_counter()
        for s in range(1, 6):
            for img in images:
                if replay:
                    replay.restart()
                pil = Image.fromarray(img)
                y = fn(pil, s, a.frost_dir) if name == 'frost' else fn(pil, s)
                out.append(np.uint8(y))
        timings[name] = time.perf_counter() - started
        np.save(os.path.join(a.output, name + '.npy'), np.array(out).astype(np.uint8))
        print('wrote', name)
    if a.timings:
        with open(a.timings, 'w') as f:
            json.dump(timings, f)


if __name__ == '__main__':
    main()
