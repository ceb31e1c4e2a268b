#!/usr/bin/python3
"""The frost textures as the generators' `frost` reads them, made by their own steps with Debian's
python3-opencv 4.6: cv2.imread (BGR, alpha dropped), then cv2.resize(fx=s, fy=s) (bilinear) with
s = 0.2 (make_cifar_c.py) or 0.3 (make_tinyimagenet_c.py), written as lossless RGB PNGs
frost<k>-<s>.png. make_imagenet_c.py uses the images unresized: the PNGs are read as they are, the
JPEGs are decoded here once (frost<k>-1.png). src/ops/corruptions/frost.ts reads these, so no JPEG
decoder or OpenCV resize is needed at run time.

  cd data/frost && /usr/bin/python3 make_resized.py
"""
import cv2

for name in ['frost1.png', 'frost2.png', 'frost3.png', 'frost4.jpg', 'frost5.jpg']:
    stem = name.split('.')[0]
    image = cv2.imread(name)
    for scale in (0.2, 0.3):
        # cv2 writes BGR data as an RGB PNG
        cv2.imwrite(f'{stem}-{scale}.png', cv2.resize(image, (0, 0), fx=scale, fy=scale))
    if name.endswith('.jpg'):
        cv2.imwrite(f'{stem}-1.png', image)
