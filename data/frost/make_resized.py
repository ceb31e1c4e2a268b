#!/usr/bin/python3
"""frost<k>-0.2.png: what make_cifar_c.py's frost reads, made by its own steps with Debian's
python3-opencv 4.6: cv2.imread (BGR), cv2.resize(fx=0.2, fy=0.2) (bilinear), then written as a
lossless RGB PNG. src/ops/corruptions/frost.ts reads these, so no JPEG decoder or OpenCV resize is
needed at run time.

  cd data/frost && /usr/bin/python3 make_resized.py
"""
import cv2

for name in ['frost1.png', 'frost2.png', 'frost3.png', 'frost4.jpg', 'frost5.jpg']:
    small = cv2.resize(cv2.imread(name), (0, 0), fx=0.2, fy=0.2)
    cv2.imwrite(name.split('.')[0] + '-0.2.png', small)  # cv2 writes BGR data as an RGB PNG
