import sharp from 'sharp';
import type { Image } from '../image.ts';
import type { AsyncCorruption, Severity } from './corruption.ts';

// Per-severity JPEG quality of make_cifar_c.py.
const QUALITY = [80, 65, 58, 50, 40];

/**
 * Encodes at the severity's quality with 4:2:0 chroma subsampling and decodes again, through sharp
 * (libvips). With these settings (standard quantisation tables, no trellis, baseline) it matched
 * Pillow 9.4's encoder and decoder bit for bit on our checks. The only asynchronous corruption.
 */
export const jpegCompression: AsyncCorruption = {
  name: 'jpeg_compression',
  fidelity: "sharp/libvips codec (4:2:0, Annex K tables): bit-exact with Pillow 9.4's JPEG on the bundled images",
  async: true,
  async apply(src: Image, dst: Uint8Array, severity: Severity): Promise<void> {
    const { width, height, channels } = src;
    const raw = { width, height, channels: channels as 1 | 2 | 3 | 4 };
    const jpeg = await sharp(src.data, { raw })
      .jpeg({
        quality: QUALITY[severity - 1]!,
        chromaSubsampling: '4:2:0',
        trellisQuantisation: false,
        overshootDeringing: false,
        optimiseScans: false,
        quantisationTable: 0,
      })
      .toBuffer();
    const { data } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
    dst.set(data);
  },
};
