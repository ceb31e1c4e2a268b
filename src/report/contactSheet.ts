import { renderAsync } from '@resvg/resvg-js';
import { encode } from 'fast-png';
import { esc, FONT } from './svgText.ts';

/** One labelled grid of images: a row per image, a column per variant. */
export interface SheetBlock {
  readonly title: string;
  /** Row labels, e.g. class names. */
  readonly rows: readonly string[];
  /** `cells[row][column]`: RGB uint8, HWC, all of the sheet's `width` × `height`. */
  readonly cells: readonly (readonly Uint8Array[])[];
}

/** A figure of blocks sharing column headings, laid out left to right, then top to bottom. */
export interface Sheet {
  readonly title: string;
  readonly subtitle: string;
  readonly columns: readonly string[];
  readonly blocks: readonly SheetBlock[];
  /** Image size in pixels (3 channels). */
  readonly width: number;
  readonly height: number;
  /** Integer nearest-neighbour upscaling, so every source pixel stays a crisp square. */
  readonly scale: number;
  /** Blocks per row of the figure. */
  readonly blocksPerRow: number;
}

const GAP = 4; // between cells
const SPLIT = 12; // after column 0 (the original), so it reads apart from the variants
const HEAD_H = 44; // block title + column headings
const MARGIN = 24;
const TOP = 64; // sheet title + subtitle

/** The cells of one block as a single RGB image (the upscaling happens here, not in resvg). */
function blockPixels(sheet: Sheet, block: SheetBlock): { w: number; h: number; data: Uint8Array } {
  const cw = sheet.width * sheet.scale;
  const ch = sheet.height * sheet.scale;
  const cols = sheet.columns.length;
  const w = cols * cw + (cols - 1) * GAP + SPLIT;
  const h = block.rows.length * ch + (block.rows.length - 1) * GAP;
  const data = new Uint8Array(w * h * 3).fill(255);
  block.cells.forEach((row, r) =>
    row.forEach((img, c) => {
      const x0 = c * (cw + GAP) + (c > 0 ? SPLIT : 0);
      const y0 = r * (ch + GAP);
      for (let y = 0; y < ch; y++) {
        const sy = Math.floor(y / sheet.scale);
        for (let x = 0; x < cw; x++) {
          const s = (sy * sheet.width + Math.floor(x / sheet.scale)) * 3;
          const d = ((y0 + y) * w + x0 + x) * 3;
          data[d] = img[s]!;
          data[d + 1] = img[s + 1]!;
          data[d + 2] = img[s + 2]!;
        }
      }
    }),
  );
  return { w, h, data };
}

/**
 * Renders the sheet to PNG: an SVG with each block's pixels embedded as one PNG image plus text
 * labels, rasterised by resvg with the system fonts (DejaVu Sans).
 */
export async function renderSheet(sheet: Sheet): Promise<Uint8Array> {
  const parts: string[] = [];
  const cw = sheet.width * sheet.scale;
  // Room for the longest row label at ~7.5 px per character of the 13 px font, plus a gap.
  const LABEL_W = Math.max(60, 16 + Math.ceil(7.5 * Math.max(0, ...sheet.blocks.flatMap((b) => b.rows.map((r) => r.length)))));
  let blockW = 0;
  let rowH = 0;
  sheet.blocks.forEach((block, i) => {
    const px = blockPixels(sheet, block);
    blockW = LABEL_W + px.w;
    rowH = Math.max(rowH, HEAD_H + px.h);
    const bx = MARGIN + (i % sheet.blocksPerRow) * (blockW + MARGIN * 2);
    const by = TOP + Math.floor(i / sheet.blocksPerRow) * (rowH + MARGIN);
    const png = Buffer.from(encode({ width: px.w, height: px.h, data: px.data, channels: 3, depth: 8 })).toString('base64');
    parts.push(`<text x="${bx + LABEL_W}" y="${by + 18}" font-size="17" font-weight="bold">${esc(block.title)}</text>`);
    sheet.columns.forEach((col, c) => {
      const x = bx + LABEL_W + c * (cw + GAP) + (c > 0 ? SPLIT : 0) + cw / 2;
      parts.push(`<text x="${x}" y="${by + HEAD_H - 8}" font-size="12" text-anchor="middle" fill="#444">${esc(col)}</text>`);
    });
    block.rows.forEach((label, r) => {
      const y = by + HEAD_H + r * (sheet.height * sheet.scale + GAP) + (sheet.height * sheet.scale) / 2 + 4;
      parts.push(`<text x="${bx + LABEL_W - 10}" y="${y}" font-size="13" text-anchor="end">${esc(label)}</text>`);
    });
    parts.push(`<image x="${bx + LABEL_W}" y="${by + HEAD_H}" width="${px.w}" height="${px.h}" href="data:image/png;base64,${png}"/>`);
  });
  const perRow = Math.min(sheet.blocksPerRow, sheet.blocks.length);
  // Text is not measured; ~7 px per character of the 13 px subtitle keeps it inside a narrow sheet.
  const width = Math.max(MARGIN * 2 + perRow * blockW + (perRow - 1) * MARGIN * 2, MARGIN * 2 + sheet.subtitle.length * 7);
  const height = TOP + Math.ceil(sheet.blocks.length / sheet.blocksPerRow) * (rowH + MARGIN);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="${FONT}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${MARGIN}" y="30" font-size="22" font-weight="bold">${esc(sheet.title)}</text>`,
    `<text x="${MARGIN}" y="50" font-size="13" fill="#555">${esc(sheet.subtitle)}</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
  const rendered = await renderAsync(svg, { font: { loadSystemFonts: true, defaultFontFamily: FONT }, logLevel: 'off' });
  return rendered.asPng();
}
