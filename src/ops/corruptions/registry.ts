import { CIFAR_C_CORRUPTIONS, CIFAR_C_EXTRA_CORRUPTIONS } from './names.ts';
import { brightness, contrast, saturate } from './colour.ts';
import type { Corruption } from './corruption.ts';
import { defocusBlur } from './defocusBlur.ts';
import { elasticTransform } from './elasticTransform.ts';
import { fog } from './fog.ts';
import { frost } from './frost.ts';
import { gaussianBlur } from './gaussianBlur.ts';
import { glassBlur } from './glassBlur.ts';
import { jpegCompression } from './jpegCompression.ts';
import { motionBlur } from './motionBlur.ts';
import { gaussianNoise, impulseNoise, shotNoise, speckleNoise } from './noise.ts';
import { pixelate } from './pixelate.ts';
import { snow } from './snow.ts';
import { spatter } from './spatter.ts';
import { zoomBlur } from './zoomBlur.ts';

/** The 19 corruption names of the CIFAR-C release (15 standard, then 4 extras), in the release's order. */
export const ALL_CORRUPTION_NAMES: readonly string[] = [...CIFAR_C_CORRUPTIONS, ...CIFAR_C_EXTRA_CORRUPTIONS];

/** The implemented corruptions by name, in the release's order. */
export const CORRUPTIONS: ReadonlyMap<string, Corruption> = new Map(
  [
    gaussianNoise,
    shotNoise,
    impulseNoise,
    defocusBlur,
    glassBlur,
    motionBlur,
    zoomBlur,
    snow,
    frost,
    fog,
    brightness,
    contrast,
    elasticTransform,
    pixelate,
    jpegCompression,
    gaussianBlur,
    saturate,
    spatter,
    speckleNoise,
  ]
    .sort((a, b) => ALL_CORRUPTION_NAMES.indexOf(a.name) - ALL_CORRUPTION_NAMES.indexOf(b.name))
    .map((c) => [c.name, c]),
);

/** Release corruptions not implemented yet, with the reason: none since all 19 exist. */
export const NOT_IMPLEMENTED: ReadonlyMap<string, string> = new Map<string, string>([]);

/**
 * The corruption's number in the release's order (0-18). Seeds derive from it (with the severity),
 * so it never changes as more corruptions are implemented.
 */
export function corruptionId(name: string): number {
  const i = ALL_CORRUPTION_NAMES.indexOf(name);
  if (i < 0) throw new RangeError(`unknown corruption '${name}'`);
  return i;
}
