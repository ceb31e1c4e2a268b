/**
 * The three published generators, each with its own per-severity constants and image size:
 * CIFAR-10-C (`make_cifar_c.py`, 32 x 32), Tiny-ImageNet-C (`make_tinyimagenet_c.py`, 64 x 64) and
 * ImageNet-C (`make_imagenet_c.py`, 224 x 224), all in hendrycks/robustness `ImageNet-C/create_c`.
 */
export const CORRUPTION_PRESETS = ['cifar', 'tiny-imagenet', 'imagenet'] as const;
export type CorruptionPreset = (typeof CORRUPTION_PRESETS)[number];

/** A value for each preset: how every corruption holds its constants. */
export type ByPreset<T> = Readonly<Record<CorruptionPreset, T>>;

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
