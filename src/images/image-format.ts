/**
 * Reads what a picture is from its bytes alone: the filename and the content_type Discord reports come from
 * the uploader's client and can say anything. Only headers are read (nothing is decoded), every loop is
 * bounded by the input length, and garbage or truncated input gives a partial answer, never an exception.
 */

export type ImageFormat = 'png' | 'jpeg';

/** What a phone or a computer may send besides PNG and JPEG: converted before submission, or (HEIC) explained. */
export type OtherImageFormat = 'gif' | 'webp' | 'avif' | 'tiff' | 'heic';

export interface ImageHeader {
  format: ImageFormat | OtherImageFormat | 'unknown';
  /** Present only when the header holding it was complete and declared a non-zero size. */
  width?: number;
  height?: number;
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;
const IHDR = 0x49484452;
const IDAT = 0x49444154;
const IEND = 0x49454e44;

export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (startsWith(bytes, PNG_SIGNATURE)) return readPngHeader(bytes);
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return readJpegHeader(bytes);
  if (startsWithAscii(bytes, 0, 'GIF87a') || startsWithAscii(bytes, 0, 'GIF89a')) return readGifHeader(bytes);
  if (startsWithAscii(bytes, 0, 'RIFF') && startsWithAscii(bytes, 8, 'WEBP')) return { format: 'webp' };
  // TIFF: byte order mark then 42, little- or big-endian (TIFF 6.0, section 2).
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a])) return { format: 'tiff' };
  if (startsWithAscii(bytes, 4, 'ftyp')) return { format: readIsoBrand(bytes) };
  return { format: 'unknown' };
}

// HEIF family (ISO/IEC 23008-12): AVIF is AV1 inside, which the bundled libheif decodes; HEIC is HEVC inside,
// which it cannot. A file may list both kinds of brand; AV1 wins, since then there is something to decode.
const AVIF_BRANDS: ReadonlySet<string> = new Set(['avif', 'avis']);
const HEIC_BRANDS: ReadonlySet<string> = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);

/** The major and compatible brands of an ISO BMFF `ftyp` box (size, 'ftyp', major, minor version, brands…). */
function readIsoBrand(bytes: Uint8Array): 'avif' | 'heic' | 'unknown' {
  if (bytes.length < 16) return 'unknown';
  const boxEnd = Math.min(readU32(bytes, 0), bytes.length, 4096);
  const brands = [ascii(bytes, 8, 4)];
  for (let at = 16; at + 4 <= boxEnd; at += 4) brands.push(ascii(bytes, at, 4));
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return 'avif';
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return 'heic';
  return 'unknown';
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + length));
}

/**
 * Whether the file reaches its end marker: a PNG whose chunks run in order from IHDR through IDAT to IEND,
 * a JPEG with an EOI after its first scan. A download cut short, or a damaged upload, still has a readable
 * header; the provider would fail on it after the member's quota was spent.
 */
export function isImageComplete(bytes: Uint8Array, format: ImageFormat): boolean {
  return format === 'png' ? isPngComplete(bytes) : isJpegComplete(bytes);
}

// PNG: the IHDR chunk must come first (https://www.w3.org/TR/png-3/#5ChunkOrdering), so its fields sit
// at fixed offsets: length at 8, type at 12, width at 16, height at 20.
function readPngHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 24 || readU32(bytes, 12) !== IHDR) return { format: 'png' };
  return withSize('png', readU32(bytes, 16), readU32(bytes, 20));
}

function isPngComplete(bytes: Uint8Array): boolean {
  let pos: number = PNG_SIGNATURE.length;
  let first = true;
  let sawData = false;
  // Each chunk moves `pos` on by at least 12 bytes, so this ends within bytes.length / 12 turns.
  while (pos + 12 <= bytes.length) {
    const length = readU32(bytes, pos);
    const type = readU32(bytes, pos + 4);
    const end = pos + 12 + length;
    if (end > bytes.length) return false;
    if (first && type !== IHDR) return false;
    first = false;
    if (type === IDAT) sawData = true;
    if (type === IEND) return sawData;
    pos = end;
  }
  return false;
}

// GIF: logical screen width and height, little-endian, right after the 6-byte signature.
function readGifHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length < 10) return { format: 'gif' };
  return withSize('gif', readU16LE(bytes, 6), readU16LE(bytes, 8));
}

interface JpegWalk {
  /** Offset just past the SOFn marker's length field, when one was found. */
  sof?: number;
  /** Offset of the first SOS marker's segment end, when one was found. */
  scan?: number;
}

function readJpegHeader(bytes: Uint8Array): ImageHeader {
  const { sof } = walkJpeg(bytes, 'sof');
  // SOFn segment: length (2), sample precision (1), number of lines (2), samples per line (2).
  if (sof === undefined || sof + 5 > bytes.length) return { format: 'jpeg' };
  return withSize('jpeg', readU16BE(bytes, sof + 3), readU16BE(bytes, sof + 1));
}

function isJpegComplete(bytes: Uint8Array): boolean {
  const { sof, scan } = walkJpeg(bytes, 'sos');
  if (sof === undefined || scan === undefined) return false;
  // Inside entropy-coded data a 0xFF is always followed by 0x00 (stuffing) or an RSTn marker, so the first
  // FF D9 after the scan starts is the real EOI, whatever trails it (some cameras append data after EOI).
  for (let i = scan; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xd9) return true;
  }
  return false;
}

/**
 * Walks the marker segments from SOI (ITU T.81, B.1.1). Stops at the first SOFn when looking for 'sof', or
 * at the first SOS after it when looking for 'sos'. Tolerates fill bytes (any run of 0xFF before a marker)
 * and, like libjpeg, stray bytes between segments.
 */
function walkJpeg(bytes: Uint8Array, until: 'sof' | 'sos'): JpegWalk {
  const walk: JpegWalk = {};
  let pos = 2;
  // Each turn moves `pos` on by at least one byte; the cap only guards against a mistake in that reasoning.
  for (let turns = 0; turns <= bytes.length && pos < bytes.length; turns++) {
    if (bytes[pos] !== 0xff) {
      pos++;
      continue;
    }
    while (pos < bytes.length && bytes[pos] === 0xff) pos++;
    if (pos >= bytes.length) break;
    const marker = bytes[pos] as number;
    pos++;
    if (marker === 0x00 || marker === 0x01 || marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7)) {
      // A stuffed zero outside a scan, TEM, SOI, RSTn: no length field follows.
      continue;
    }
    if (marker === 0xd9) break;
    if (pos + 2 > bytes.length) break;
    const length = readU16BE(bytes, pos);
    if (length < 2) break;
    if (isStartOfFrame(marker) && walk.sof === undefined) {
      // Shorter than precision, lines, samples per line and component count: not a frame header.
      if (length < 8) break;
      walk.sof = pos + 2;
      if (until === 'sof') break;
    }
    if (marker === 0xda) {
      // Entropy-coded data follows SOS without a length; a frame header must have come first.
      if (walk.sof !== undefined) walk.scan = pos + length;
      break;
    }
    pos += length;
  }
  return walk;
}

// SOF0..SOF15 are C0..CF, except C4 (DHT), C8 (JPG, reserved) and CC (DAC), which share the range.
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
}

function withSize(format: ImageHeader['format'], width: number, height: number): ImageHeader {
  return width > 0 && height > 0 ? { format, width, height } : { format };
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

function startsWithAscii(bytes: Uint8Array, offset: number, text: string): boolean {
  if (bytes.length < offset + text.length) return false;
  for (let i = 0; i < text.length; i++) {
    if (bytes[offset + i] !== text.charCodeAt(i)) return false;
  }
  return true;
}

// Callers check the bounds first; `?? 0` only satisfies noUncheckedIndexedAccess.
function readU32(bytes: Uint8Array, at: number): number {
  return (((bytes[at] ?? 0) << 24) >>> 0) + ((bytes[at + 1] ?? 0) << 16) + ((bytes[at + 2] ?? 0) << 8) + (bytes[at + 3] ?? 0);
}

function readU16BE(bytes: Uint8Array, at: number): number {
  return ((bytes[at] ?? 0) << 8) | (bytes[at + 1] ?? 0);
}

function readU16LE(bytes: Uint8Array, at: number): number {
  return (bytes[at] ?? 0) | ((bytes[at + 1] ?? 0) << 8);
}
