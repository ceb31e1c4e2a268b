/** The 15 CIFAR-10-C / CIFAR-100-C test corruptions (Hendrycks & Dietterich, 2019), in the paper's order. */
export const CIFAR_C_CORRUPTIONS = [
  'gaussian_noise',
  'shot_noise',
  'impulse_noise',
  'defocus_blur',
  'glass_blur',
  'motion_blur',
  'zoom_blur',
  'snow',
  'frost',
  'fog',
  'brightness',
  'contrast',
  'elastic_transform',
  'pixelate',
  'jpeg_compression',
] as const;

/** The 4 held-out corruptions the release adds for validation; not part of the mCE average. */
export const CIFAR_C_EXTRA_CORRUPTIONS = ['gaussian_blur', 'saturate', 'spatter', 'speckle_noise'] as const;

/** Severity levels per corruption, 1 (mildest) to 5. */
export const CIFAR_C_SEVERITIES = 5;

/** Sorts corruption names: the 15 standard in order, then the 4 extras, then any others alphabetically. */
export function sortCorruptions(names: readonly string[]): string[] {
  const known: readonly string[] = [...CIFAR_C_CORRUPTIONS, ...CIFAR_C_EXTRA_CORRUPTIONS];
  const rank = (n: string): number => (known.includes(n) ? known.indexOf(n) : known.length);
  return [...names].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
