/**
 * The three published generators, each with its own per-severity constants and image size:
 * CIFAR-10-C (`make_cifar_c.py`, 32 x 32), Tiny-ImageNet-C (`make_tinyimagenet_c.py`, 64 x 64) and
 * ImageNet-C (`make_imagenet_c.py`, 224 x 224), all in hendrycks/robustness `ImageNet-C/create_c`.
 */
import cifar from './presets/cifar.json' with { type: 'json' };
import imagenet from './presets/imagenet.json' with { type: 'json' };
import tinyImagenet from './presets/tiny-imagenet.json' with { type: 'json' };

export const CORRUPTION_PRESETS = ['cifar', 'tiny-imagenet', 'imagenet'] as const;
export type CorruptionPreset = (typeof CORRUPTION_PRESETS)[number];

/** A value for each preset: how every corruption holds its constants. */
export type ByPreset<T> = Readonly<Record<CorruptionPreset, T>>;

/** Five values, for severities 1 to 5. */
type PerSeverity<T> = readonly T[];

/**
 * A generator's per-severity constants, as its script writes them (presets/<preset>.json; field
 * names for the script's tuple positions). Each corruption's file says how it uses them.
 */
export interface SeverityConstants {
  readonly gaussian_noise: PerSeverity<number>;
  readonly shot_noise: PerSeverity<number>;
  readonly impulse_noise: PerSeverity<number>;
  readonly speckle_noise: PerSeverity<number>;
  /** The disc's radius and the alias blur's sigma. */
  readonly defocus_blur: PerSeverity<{ readonly radius: number; readonly aliasBlur: number }>;
  /** The Gaussian's sigma, the largest pixel swap and the number of passes. */
  readonly glass_blur: PerSeverity<{ readonly sigma: number; readonly maxDelta: number; readonly iterations: number }>;
  /** ImageMagick's radius and sigma; the angle is drawn U(-45, 45) degrees. */
  readonly motion_blur: PerSeverity<{ readonly radius: number; readonly sigma: number }>;
  /** The zooms `np.arange(1, stop, step)`. */
  readonly zoom_blur: PerSeverity<{ readonly stop: number; readonly step: number }>;
  readonly snow: PerSeverity<{
    readonly loc: number;
    readonly scale: number;
    readonly zoom: number;
    readonly threshold: number;
    readonly radius: number;
    readonly sigma: number;
    /** The image's weight against `max(x, 1.5 gray + 0.5)`. */
    readonly weight: number;
  }>;
  /** Weights of the image and of the frost texture. */
  readonly frost: PerSeverity<{ readonly image: number; readonly frost: number }>;
  /** The plasma's strength and its wibble decay. */
  readonly fog: PerSeverity<{ readonly c: number; readonly decay: number }>;
  readonly brightness: PerSeverity<number>;
  readonly contrast: PerSeverity<number>;
  /**
   * The displacement field's alpha and sigma and the affine jitter, as fractions of `elastic_size`. Severity 1 of
   * CIFAR and Tiny-ImageNet has no field (alpha 0); there the jitter shrinks with severity while the field grows.
   */
  readonly elastic_transform: PerSeverity<{ readonly alpha: number; readonly sigma: number; readonly jitter: number }>;
  /** Down to `int(side c)` pixels and back, both with BOX. */
  readonly pixelate: PerSeverity<number>;
  /** JPEG quality. */
  readonly jpeg_compression: PerSeverity<number>;
  /** sigma. */
  readonly gaussian_blur: PerSeverity<number>;
  /** Saturation becomes `s * scale + shift`. */
  readonly saturate: PerSeverity<{ readonly scale: number; readonly shift: number }>;
  readonly spatter: PerSeverity<{
    readonly loc: number;
    readonly scale: number;
    readonly sigma: number;
    readonly threshold: number;
    /** Water: the tint's strength; mud: the blur sigma of the mask. */
    readonly intensity: number;
    readonly mud: boolean;
  }>;
  /** The scale the frost textures were resized by. */
  readonly frost_scale: number;
  /**
   * The size elastic_transform's constants are multiplied by: the image side, but 244 for ImageNet-C's 224
   * ("244 should have been 224, but ultimately nothing is incorrect" in the original).
   */
  readonly elastic_size: number;
}

/** Every preset's per-severity constants. */
export const SEVERITY_CONSTANTS: ByPreset<SeverityConstants> = { cifar, 'tiny-imagenet': tinyImagenet, imagenet };

/** What each preset is for, and how its script brings images to its size. */
export interface PresetInfo {
  /** The side of the square images its constants were chosen for. */
  readonly size: number;
  /** The release it reproduces and the script it follows. */
  readonly release: string;
  readonly script: string;
  /** How the script resizes its input, as torchvision transforms on PIL images. */
  readonly resize: { readonly kind: 'exact'; readonly side: number } | { readonly kind: 'shorter-then-crop'; readonly shorter: number; readonly crop: number };
}

export const PRESETS: ByPreset<PresetInfo> = {
  cifar: { size: 32, release: 'CIFAR-10-C', script: 'make_cifar_c.py', resize: { kind: 'exact', side: 32 } },
  'tiny-imagenet': { size: 64, release: 'Tiny-ImageNet-C', script: 'make_tinyimagenet_c.py', resize: { kind: 'exact', side: 64 } },
  imagenet: { size: 224, release: 'ImageNet-C', script: 'make_imagenet_c.py', resize: { kind: 'shorter-then-crop', shorter: 256, crop: 224 } },
};

/** The preset whose images are `height` x `width`, or null when no generator has constants for it. */
export function presetForSize(height: number, width: number): CorruptionPreset | null {
  if (height !== width) return null;
  return CORRUPTION_PRESETS.find((p) => PRESETS[p].size === height) ?? null;
}

/** "32 x 32 (cifar), 64 x 64 (tiny-imagenet), 224 x 224 (imagenet)", for messages. */
export function presetSizes(): string {
  return CORRUPTION_PRESETS.map((p) => `${PRESETS[p].size} x ${PRESETS[p].size} (${p})`).join(', ');
}
