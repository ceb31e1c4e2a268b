import type { Image } from '../image.ts';
import { pilResize } from '../pilResize.ts';
import { roundHalfEven } from '../roundHalfEven.ts';
import type { PresetInfo } from './presets.ts';

/** The size `resize` gives an image of `height` x `width` before any crop (torchvision's Resize on PIL images). */
function resizedSize(resize: PresetInfo['resize'], height: number, width: number): { height: number; width: number } {
  if (resize.kind === 'exact') return { height: resize.side, width: resize.side };
  // Resize(s): the shorter side becomes s, the longer int(s * long / short).
  const s = resize.shorter;
  return width <= height ? { width: s, height: Math.trunc((s * height) / width) } : { height: s, width: Math.trunc((s * width) / height) };
}

/** The side of the images `resize` produces. */
export function presetSide(resize: PresetInfo['resize']): number {
  return resize.kind === 'exact' ? resize.side : resize.crop;
}

/**
 * Brings an RGB image to a generator's size as its script does (torchvision transforms on a PIL
 * image: `Resize((s, s))`, or `Resize(256)` then `CenterCrop(224)`), with Pillow 9.4's bilinear
 * filter, bit-exact. An image already of the target size is returned as it is.
 */
export function presetResize(src: Image, resize: PresetInfo['resize']): Image {
  const side = presetSide(resize);
  if (src.height === side && src.width === side) return src;
  const { height, width } = resizedSize(resize, src.height, src.width);
  const ch = src.channels;
  const resized = new Uint8Array(height * width * ch);
  pilResize(src.data, src.width, src.height, ch, resized, width, height, 'bilinear');
  if (height === side && width === side) return { height, width, channels: ch, data: resized };
  const top = roundHalfEven((height - side) / 2);
  const left = roundHalfEven((width - side) / 2);
  const data = new Uint8Array(side * side * ch);
  for (let y = 0; y < side; y++) data.set(resized.subarray(((top + y) * width + left) * ch, ((top + y) * width + left + side) * ch), y * side * ch);
  return { height: side, width: side, channels: ch, data };
}
