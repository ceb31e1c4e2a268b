/**
 * The 13 AugMix image primitives, bit-exact with Pillow 9.4 (test/ops/primitives.test.ts runs
 * them against fixtures made by test/fixtures/make_pil_fixtures.py). Each has a kernel
 * `<name>Into(src, dst, param)` writing into a caller-given image (the hot path) and a
 * convenience `<name>(img, param)` returning a new one.
 */
export { autocontrast, autocontrastInto } from './autocontrast.ts';
export { brightness, brightnessInto } from './brightness.ts';
export { color, colorInto } from './color.ts';
export { contrast, contrastInto } from './contrast.ts';
export { equalize, equalizeInto } from './equalize.ts';
export { posterize, posterizeInto } from './posterize.ts';
export { rotate, rotateInto } from './rotate.ts';
export { sharpness, sharpnessInto } from './sharpness.ts';
export { shearX, shearXInto, shearY, shearYInto } from './shear.ts';
export { solarize, solarizeInto } from './solarize.ts';
export { translateX, translateXInto, translateY, translateYInto } from './translate.ts';
