// Deterministic pseudo-random attachment bytes for the Graph stand-in, so that tests can
// serve very large attachments (e.g. 150 MB) without files, and compute the same bytes.
//
// The generator: xorshift32 (Marsaglia 2003: x ^= x << 13; x ^= x >>> 17; x ^= x << 5),
// state starting at `seed` (a 32-bit unsigned integer; 0, a fixed point of xorshift, is
// replaced by 0x9E3779B9). Each step's new state is one output word, written little-endian;
// the byte stream is those words in order, cut to `size` bytes.
import { createHash } from 'node:crypto';
import { endianness } from 'node:os';

const CHUNK = 1 << 16; // bytes per yielded Buffer (a multiple of 4)
const native = endianness() === 'LE';

/** Yields the `size` bytes of the stream for `seed` as Buffers of at most 64 KiB. */
export function* generateChunks(seed, size) {
  let x = seed >>> 0 || 0x9e3779b9;
  for (let done = 0; done < size; done += CHUNK) {
    const n = Math.min(CHUNK, size - done);
    const buf = Buffer.allocUnsafe((n + 3) & ~3);
    const words = new Uint32Array(buf.buffer, buf.byteOffset, buf.length >> 2);
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
      words[i] = x;
    }
    if (!native) for (let i = 0; i < words.length; i++) buf.writeUInt32LE(words[i], i * 4);
    yield buf.subarray(0, n);
  }
}

/** All the bytes at once (for small sizes). */
export const generateBytes = (seed, size) => Buffer.concat([...generateChunks(seed, size)]);

/** Hex SHA-256 of the stream, without holding it in memory. */
export function generatedSha256(seed, size) {
  const hash = createHash('sha256');
  for (const chunk of generateChunks(seed, size)) hash.update(chunk);
  return hash.digest('hex');
}
