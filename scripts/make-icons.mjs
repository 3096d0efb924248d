// Draws the add-in's icons as PNG: a white envelope on blue, in every size a manifest names.
//   16, 32, 80        desktop ribbon buttons (manifest.xml bt:Image size=16/32/80)
//   64, 128           IconUrl / HighResolutionIconUrl
//   25, 50, 75 / 32, 64, 96 / 48, 96, 144
//                     the mobile button: 25, 32 and 48 points at scale 1, 2 and 3
//   192               the unified manifest's color icon (icons.color, 192 x 192)
// and icon-outline-32.png, the unified manifest's outline icon (icons.outline): 32 x 32, the
// envelope in white on a transparent background, nothing else (as Teams requires).
// Run `node scripts/make-icons.mjs` once after a change; the PNGs are committed in www/assets.
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf) => (buf.reduce((c, b) => crcTable[(c ^ b) & 0xff] ^ (c >>> 8), 0xffffffff) ^ 0xffffffff) >>> 0;

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

function png(size, { outline = false } = {}) {
  const rows = [];
  const inEnvelope = (x, y) => x >= 0.18 && x <= 0.82 && y >= 0.3 && y <= 0.72;
  const onEdge = (x, y, t) =>
    Math.abs(x - 0.18) < t || Math.abs(x - 0.82) < t || Math.abs(y - 0.3) < t || Math.abs(y - 0.72) < t ||
    Math.abs(y - 0.3 - (0.5 - Math.abs(x - 0.5)) * 0.7) < t;
  for (let py = 0; py < size; py++) {
    const row = [0];
    for (let px = 0; px < size; px++) {
      const x = (px + 0.5) / size;
      const y = (py + 0.5) / size;
      const white = inEnvelope(x, y) && onEdge(x, y, Math.max(0.035, 1.2 / size));
      const background = outline ? [0, 0, 0, 0] : [15, 108, 189, 255];
      row.push(...(white ? [255, 255, 255, 255] : background));
    }
    rows.push(Buffer.from(row));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const SIZES = [16, 25, 32, 48, 50, 64, 75, 80, 96, 128, 144, 192];
const asset = (name) => new URL(`../www/assets/${name}`, import.meta.url);
for (const size of SIZES) writeFileSync(asset(`icon-${size}.png`), png(size));
writeFileSync(asset("icon-outline-32.png"), png(32, { outline: true }));
