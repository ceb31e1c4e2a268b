import { fourierPrimitive, type FourierSampling } from './fourierPrimitive.ts';
import type { Image } from './image.ts';
import * as k from './primitives.ts';
import { floatParameter, intParameter, sampleLevel, type Primitive } from './primitive.ts';
import type { Rng } from './rng.ts';

/**
 * The AugMix ops with the reference's level-to-parameter mapping (google-research/augmix
 * augmentations.py), kept apart from the kernels (timm's LEVEL_TO_ARG lesson). RNG draws per op
 * follow the reference: none for autocontrast/equalize, the level for the rest, then a sign for
 * rotate/shear/translate.
 */
function op<P>(name: string, sample: Primitive<P>['sample'], apply: (src: Image, dst: Image, p: P) => void): Primitive<P> {
  return { name, sample, apply };
}

/** Negates with p = 0.5, drawn after the level as the reference does (aug.py:71). */
function signed(rng: Rng, v: number): number {
  return rng.uniform() > 0.5 ? -v : v;
}

const none = (): null => null;
/** Enhance factor f = u·1.8/10 + 0.1 (aug.py:118-138, commit 7c84885). */
const enhanceFactor = (rng: Rng, severity: number): number => floatParameter(sampleLevel(rng, severity), 1.8) + 0.1;

export const autocontrast = op('autocontrast', none, (s, d) => k.autocontrastInto(s, d));
export const equalize = op('equalize', none, (s, d) => k.equalizeInto(s, d));
/** bits = 4 − int(u·4/10) (aug.py:64-66). */
export const posterize = op('posterize', (rng, sev) => 4 - intParameter(sampleLevel(rng, sev), 4), k.posterizeInto);
/** threshold = 256 − int(u·256/10) (aug.py:76-78). */
export const solarize = op('solarize', (rng, sev) => 256 - intParameter(sampleLevel(rng, sev), 256), k.solarizeInto);
/** Integer degrees int(u·30/10), random sign (aug.py:69-73). */
export const rotate = op('rotate', (rng, sev) => signed(rng, intParameter(sampleLevel(rng, sev), 30)), k.rotateInto);
/** s = u·0.3/10, random sign (aug.py:81-96). */
export const shearX = op('shear_x', (rng, sev) => signed(rng, floatParameter(sampleLevel(rng, sev), 0.3)), k.shearXInto);
export const shearY = op('shear_y', (rng, sev) => signed(rng, floatParameter(sampleLevel(rng, sev), 0.3)), k.shearYInto);
/**
 * t = int(u·(S/3)/10) pixels, random sign (aug.py:99-114). The reference uses IMAGE_SIZE for both
 * axes; we use the image's own width (x) and height (y), which agree on square images.
 */
export const translateX = op('translate_x', (rng, sev, shape) => signed(rng, intParameter(sampleLevel(rng, sev), shape.width / 3)), k.translateXInto);
export const translateY = op('translate_y', (rng, sev, shape) => signed(rng, intParameter(sampleLevel(rng, sev), shape.height / 3)), k.translateYInto);
export const color = op('color', enhanceFactor, k.colorInto);
export const contrast = op('contrast', enhanceFactor, k.contrastInto);
export const brightness = op('brightness', enhanceFactor, k.brightnessInto);
export const sharpness = op('sharpness', enhanceFactor, k.sharpnessInto);

/** The paper's primitive sets (appendix A.2). */
export const primitiveSets = {
  S: ['rotate', 'shear_x', 'shear_y', 'translate_x', 'translate_y'],
  V: ['autocontrast', 'equalize', 'posterize', 'solarize'],
  C: ['brightness', 'color', 'contrast', 'sharpness'],
  F: ['fourier'],
} as const;

/** Every built-in primitive by name; `fourier` uses the given sampling. */
export function builtinPrimitives(fourier?: FourierSampling): Map<string, Primitive> {
  const all: Primitive[] = [
    autocontrast,
    equalize,
    posterize,
    solarize,
    rotate,
    shearX,
    shearY,
    translateX,
    translateY,
    color,
    contrast,
    brightness,
    sharpness,
    fourierPrimitive(fourier),
  ];
  return new Map(all.map((p) => [p.name, p]));
}
