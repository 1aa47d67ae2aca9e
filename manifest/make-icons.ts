/**
 * Generates the Teams app icons (run once: `npx tsx manifest/make-icons.ts`; the PNGs are committed).
 *   color.png    192×192, full colour: a #5B5FC7 rounded square with a white award star
 *   outline.png  32×32, the same star in white on a transparent background
 * No image library: shapes are sampled 4×4 per pixel for anti-aliasing and written by a minimal
 * PNG encoder (IHDR + one zlib-deflated IDAT, filter 0 rows, CRC32 per chunk).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

type Rgba = [number, number, number, number];
type Point = [number, number];

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** Encodes an 8-bit RGBA image (colour type 6, no interlace). `pixels` is width*height*4 bytes. */
export function encodePng(width: number, height: number, pixels: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: truecolour with alpha
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter method
  ihdr[12] = 0; // interlace: none
  const stride = width * 4;
  const raw = Buffer.alloc((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0; // filter type None
    raw.set(pixels.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1);
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Five-pointed star centred on (cx, cy), pointing up. */
function star(cx: number, cy: number, outer: number, inner: number): Point[] {
  const pts: Point[] = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return pts;
}

function inPolygon([x, y]: Point, poly: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inRoundedSquare([x, y]: Point, size: number, radius: number): boolean {
  const cx = Math.min(Math.max(x, radius), size - radius);
  const cy = Math.min(Math.max(y, radius), size - radius);
  return (x - cx) ** 2 + (y - cy) ** 2 <= radius ** 2 && x >= 0 && y >= 0 && x <= size && y <= size;
}

/** Renders a layered image: for each pixel, the topmost layer covering each sub-sample wins; samples are averaged. */
function render(size: number, layers: Array<{ covers: (p: Point) => boolean; color: Rgba }>): Uint8Array {
  const SS = 4;
  const out = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Premultiplied accumulation so anti-aliased edges against transparency stay clean.
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const p: Point = [x + (sx + 0.5) / SS, y + (sy + 0.5) / SS];
          let c: Rgba = [0, 0, 0, 0];
          for (const layer of layers) if (layer.covers(p)) c = layer.color;
          const alpha = c[3] / 255;
          r += c[0] * alpha; g += c[1] * alpha; b += c[2] * alpha; a += alpha;
        }
      }
      const i = (y * size + x) * 4;
      if (a > 0) {
        out[i] = Math.round(r / a);
        out[i + 1] = Math.round(g / a);
        out[i + 2] = Math.round(b / a);
      }
      out[i + 3] = Math.round((a / (SS * SS)) * 255);
    }
  }
  return out;
}

const BRAND: Rgba = [0x5b, 0x5f, 0xc7, 255];
const WHITE: Rgba = [255, 255, 255, 255];

export function colorIcon(): Buffer {
  const size = 192;
  // The star's visual centre sits slightly below the geometric centre of its outer points.
  const shape = star(96, 101, 66, 27);
  const pixels = render(size, [
    { covers: (p) => inRoundedSquare(p, size, 36), color: BRAND },
    { covers: (p) => inPolygon(p, shape), color: WHITE },
  ]);
  return encodePng(size, size, pixels);
}

export function outlineIcon(): Buffer {
  const size = 32;
  const shape = star(16, 17, 15, 6.2);
  return encodePng(size, size, render(size, [{ covers: (p) => inPolygon(p, shape), color: WHITE }]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = dirname(fileURLToPath(import.meta.url));
  writeFileSync(join(dir, 'color.png'), colorIcon());
  writeFileSync(join(dir, 'outline.png'), outlineIcon());
  process.stdout.write(`wrote ${join(dir, 'color.png')} and ${join(dir, 'outline.png')}\n`);
}
