import sharp from 'sharp';
import type { Image } from '../image.ts';
import type { AsyncCorruption, Severity } from './corruption.ts';
import { SEVERITY_CONSTANTS, type CorruptionPreset } from './presets.ts';
import { jpegRoundTripFits, jpegRoundTripInto } from './jpegRoundTrip.ts';

/**
 * Encodes at the severity's quality with 4:2:0 chroma subsampling and decodes again, as Pillow 9.4
 * (libjpeg-turbo) does: in our own arithmetic (`jpegRoundTripInto`) for RGB images of whole 16x16
 * MCUs, else through sharp (libvips), whose codec with these settings (standard quantisation
 * tables, no trellis, baseline) gives the same bytes. Asynchronous for the sharp path.
 */
export const jpegCompression: AsyncCorruption = {
  name: 'jpeg_compression',
  fidelity: "libjpeg-turbo's integer codec restated (4:2:0, Annex K tables): bit-exact with Pillow 9.4's JPEG",
  async: true,
  async apply(src: Image, dst: Uint8Array, severity: Severity, preset: CorruptionPreset): Promise<void> {
    const { width, height, channels } = src;
    if (channels === 3 && jpegRoundTripFits(height, width))
      return jpegRoundTripInto(src.data, height, width, SEVERITY_CONSTANTS[preset].jpeg_compression[severity - 1]!, dst);
    const raw = { width, height, channels: channels as 1 | 2 | 3 | 4 };
    const jpeg = await sharp(src.data, { raw })
      .jpeg({
        quality: SEVERITY_CONSTANTS[preset].jpeg_compression[severity - 1]!,
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
