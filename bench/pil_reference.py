#!/usr/bin/python3
"""The AugMix reference's per-image data path (Debian's Pillow 9.4, numpy, torch/torchvision).

Restated from /work/shared/augmix-reference-notes.md (sections 1, 2, 6), not copied:
google-research/augmix augmentations.py (9 default ops, severity 3) and cifar.py `aug()`
(width 3, depth -1, alpha 1; 5 preprocess calls per view), and its training transform.

  view: x = fromarray(img);              out = aug(x)
  jsd:  x = crop(flip(fromarray(img)));  out = (preprocess(x), aug(x), aug(x))
  ops:  microseconds per call of each op, and of preprocess, on 32x32 CIFAR images

--preprocess torchvision: the recipe as cifar.py writes it: preprocess = Compose([ToTensor(),
  Normalize([0.5]*3, [0.5]*3)]), float32 torch tensors mixed, RandomHorizontalFlip() +
  RandomCrop(32, padding=4) on the PIL image; one torch thread per process, as a DataLoader worker.
--preprocess numpy (default): a lean restatement, the same float32 arithmetic in numpy and the
  flip/crop in PIL (zero fill): a stronger baseline than the reference itself.

Usage: pil_reference.py MODE IMAGES [PROCESSES] [--passes K] [--data FILE] [--preprocess P]
IMAGES is the total over all processes. Prints one JSON line; for view/jsd the best of K passes.
"""
import argparse
import json
import multiprocessing as mp
import os
import random
import time

import numpy as np
from PIL import Image, ImageOps

SIZE = 32  # IMAGE_SIZE in augmentations.py
SEVERITY, WIDTH, DEPTH, ALPHA = 3, 3, -1, 1.0
WARMUP = 64


# -- augmentations.py: level helpers and the 9 default ops --------------------------------------
def int_parameter(level, maxval):
    return int(level * maxval / 10)


def float_parameter(level, maxval):
    return float(level) * maxval / 10.0


def sample_level(n):
    return np.random.uniform(low=0.1, high=n)


def autocontrast(img, _):
    return ImageOps.autocontrast(img)


def equalize(img, _):
    return ImageOps.equalize(img)


def posterize(img, level):
    return ImageOps.posterize(img, 4 - int_parameter(sample_level(level), 4))


def rotate(img, level):
    deg = int_parameter(sample_level(level), 30)
    deg = -deg if np.random.uniform() > 0.5 else deg
    return img.rotate(deg, resample=Image.BILINEAR)


def solarize(img, level):
    return ImageOps.solarize(img, 256 - int_parameter(sample_level(level), 256))


def _affine(img, coeffs):
    return img.transform((SIZE, SIZE), Image.AFFINE, coeffs, resample=Image.BILINEAR)


def shear_x(img, level):
    s = float_parameter(sample_level(level), 0.3)
    return _affine(img, (1, -s if np.random.uniform() > 0.5 else s, 0, 0, 1, 0))


def shear_y(img, level):
    s = float_parameter(sample_level(level), 0.3)
    return _affine(img, (1, 0, 0, -s if np.random.uniform() > 0.5 else s, 1, 0))


def translate_x(img, level):
    t = int_parameter(sample_level(level), SIZE / 3)
    return _affine(img, (1, 0, -t if np.random.random() > 0.5 else t, 0, 1, 0))


def translate_y(img, level):
    t = int_parameter(sample_level(level), SIZE / 3)
    return _affine(img, (1, 0, 0, 0, 1, -t if np.random.random() > 0.5 else t))


AUGMENTATIONS = [autocontrast, equalize, posterize, rotate, solarize, shear_x, shear_y, translate_x, translate_y]


# -- cifar.py: preprocess, aug(), and the training transform ------------------------------------
def preprocess(img):
    """ToTensor (HWC uint8 -> CHW float32 / 255) then Normalize(0.5, 0.5), in float32."""
    x = np.ascontiguousarray(np.asarray(img).transpose(2, 0, 1)).astype(np.float32) / np.float32(255)
    return (x - np.float32(0.5)) / np.float32(0.5)


zeros_like = np.zeros_like
torch = None  # the module, once use_torchvision() has run


def use_torchvision():
    """Swap in cifar.py's own transforms (python3-torchvision): preprocess and the baseline."""
    global preprocess, flip_crop, zeros_like, torch
    import torch
    from torchvision import transforms
    torch.set_num_threads(1)
    preprocess = transforms.Compose([transforms.ToTensor(), transforms.Normalize([0.5] * 3, [0.5] * 3)])
    flip_crop = transforms.Compose([transforms.RandomHorizontalFlip(), transforms.RandomCrop(SIZE, padding=4)])
    zeros_like = torch.zeros_like


def aug(image):
    ws = np.float32(np.random.dirichlet([ALPHA] * WIDTH))
    m = np.float32(np.random.beta(ALPHA, ALPHA))
    mix = zeros_like(preprocess(image))
    for i in range(WIDTH):
        image_aug = image.copy()
        depth = DEPTH if DEPTH > 0 else np.random.randint(1, 4)
        for _ in range(depth):
            op = np.random.choice(AUGMENTATIONS)
            image_aug = op(image_aug, SEVERITY)
        mix += ws[i] * preprocess(image_aug)
    return (1 - m) * preprocess(image) + m * mix


def flip_crop(img, padding=4):
    """Lean RandomHorizontalFlip() then RandomCrop(32, padding=4, fill 0), Python's random."""
    if random.random() < 0.5:
        img = img.transpose(Image.FLIP_LEFT_RIGHT)
    img = ImageOps.expand(img, border=padding, fill=0)
    i, j = random.randint(0, 2 * padding), random.randint(0, 2 * padding)
    return img.crop((j, i, j + SIZE, i + SIZE))


def sample_view(arr):
    return aug(Image.fromarray(arr))


def sample_jsd(arr):
    x = flip_crop(Image.fromarray(arr))
    return preprocess(x), aug(x), aug(x)


MODES = {'view': sample_view, 'jsd': sample_jsd}


# -- data and timing ----------------------------------------------------------------------------
def read_cifar(path):
    """CIFAR-10 binary batch: per record 1 label byte, 1024 R, 1024 G, 1024 B. Returns NHWC uint8."""
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, 3073)
    return np.ascontiguousarray(raw[:, 1:].reshape(-1, 3, SIZE, SIZE).transpose(0, 2, 3, 1))


def worker(rank, processes, mode, count, data, barrier, results):
    cores = sorted(os.sched_getaffinity(0))
    if len(cores) >= processes:
        os.sched_setaffinity(0, {cores[rank]})
    np.random.seed(1 + rank)
    random.seed(1 + rank)
    if torch is not None:  # forked from the parent: set again, as each DataLoader worker does
        torch.set_num_threads(1)
        torch.manual_seed(1 + rank)
    fn = MODES[mode]
    for k in range(WARMUP):
        fn(data[k % len(data)])
    offset = rank * count
    barrier.wait()
    start = time.perf_counter()  # CLOCK_MONOTONIC: comparable across processes
    for k in range(count):
        fn(data[(offset + k) % len(data)])
    results.put((start, time.perf_counter()))


def run_pass(mode, images, processes, data):
    """Wall time from the common start to the last process's end, the work split evenly."""
    per = [images // processes + (r < images % processes) for r in range(processes)]
    ctx = mp.get_context('fork')
    barrier, results = ctx.Barrier(processes), ctx.Queue()
    procs = [ctx.Process(target=worker, args=(r, processes, mode, per[r], data, barrier, results)) for r in range(processes)]
    for p in procs:
        p.start()
    spans = [results.get() for _ in procs]
    for p in procs:
        p.join()
    return max(e for _, e in spans) - min(s for s, _ in spans)


def time_ops(data, reps=2000):
    """Microseconds per call (best of 5 rounds) of each op, preprocess, one op draw, flip+crop, and
    whole samples (view, jsd), on CIFAR images with fresh parameters every call."""
    imgs = [Image.fromarray(a) for a in data[:256]]
    steps = [(op.__name__, lambda im, _, op=op: op(im, SEVERITY), reps) for op in AUGMENTATIONS] + [
        ('preprocess', lambda im, _: preprocess(im), reps),
        ('choice', lambda im, _: np.random.choice(AUGMENTATIONS), reps),
        ('flip_crop', lambda im, _: flip_crop(im), reps),
        ('view', lambda _, k: sample_view(data[k % len(data)]), reps // 10),
        ('jsd', lambda _, k: sample_jsd(data[k % len(data)]), reps // 10),
    ]

    def per_call(fn, n):
        t = time.perf_counter()
        for k in range(n):
            fn(imgs[k % len(imgs)], k)
        return (time.perf_counter() - t) / n

    out = {}
    for name, fn, n in steps:
        per_call(fn, n // 10)  # warm-up
        out[name] = round(min(per_call(fn, n // 5) for _ in range(5)) * 1e6, 2)
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('mode', choices=[*MODES, 'ops'])
    ap.add_argument('images', type=int, nargs='?', default=2000)
    ap.add_argument('processes', type=int, nargs='?', default=1)
    ap.add_argument('--passes', type=int, default=3)
    ap.add_argument('--data', default=os.path.join(here, '..', 'data', 'cifar10-mini', 'data_batch_1.bin'))
    ap.add_argument('--preprocess', choices=['numpy', 'torchvision'], default='numpy')
    a = ap.parse_args()
    if a.preprocess == 'torchvision':
        use_torchvision()
    data = read_cifar(a.data)
    if a.mode == 'ops':
        np.random.seed(1)
        random.seed(1)
        print(json.dumps({'mode': 'ops', 'microseconds': time_ops(data)}))
        return
    seconds = min(run_pass(a.mode, a.images, a.processes, data) for _ in range(a.passes))
    print(json.dumps({'mode': a.mode, 'preprocess': a.preprocess, 'processes': a.processes, 'images': a.images, 'seconds': round(seconds, 4),
                      'imagesPerSecond': round(a.images / seconds, 1)}))


if __name__ == '__main__':
    main()
