/**
 * Real, decodable image files made in memory, so tests exercise the same bytes a member's upload would carry
 * without binary fixtures or image packages. Each encoder writes the simplest valid form of its format:
 * PNG with unfiltered RGB rows, GIF with uncompressed LZW codes, JPEG with flat 8x8 blocks (DC only, so no
 * DCT is needed). ffprobe/ffmpeg decode all of them.
 */
import { deflateSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------------- PNG

/** An RGB PNG of the given size, showing a gradient. */
export function makePng(width: number, height: number): Buffer {
  const stride = 1 + width * 3;
  const raw = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    raw[row] = 0; // filter type None
    for (let x = 0; x < width; x++) {
      const at = row + 1 + x * 3;
      raw[at] = (x * 255) / Math.max(1, width - 1);
      raw[at + 1] = (y * 255) / Math.max(1, height - 1);
      raw[at + 2] = 128;
    }
  }
  return Buffer.concat([
    PNG_SIGNATURE,
    pngChunk('IHDR', pngHeader(width, height)),
    pngChunk('IDAT', deflateSync(raw)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The same PNG with its IHDR rewritten (CRC included) to declare another size: a small file that claims a
 * huge canvas, as a hostile upload would.
 */
export function forgePngSize(png: Buffer, width: number, height: number): Buffer {
  const forged = Buffer.from(png);
  forged.writeUInt32BE(width, 16);
  forged.writeUInt32BE(height, 20);
  forged.writeUInt32BE(crc32(forged.subarray(12, 29)), 29);
  return forged;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: RGB
  ihdr[10] = 0; // compression: deflate
  ihdr[11] = 0; // filter method: adaptive
  ihdr[12] = 0; // interlace: none
  return ihdr;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return chunk;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 as PNG defines it (ISO 3309, reflected polynomial 0xEDB88320). */
export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (CRC_TABLE[(c ^ byte) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// ---------------------------------------------------------------------------------------------------- GIF

/** A single-frame GIF89a with a four-colour palette, showing a checkerboard. */
export function makeGif(width: number, height: number): Buffer {
  const MIN_CODE_SIZE = 2;
  const CLEAR = 4;
  const END = 5;
  const codes = new BitWriterLsb();
  // With a clear code before every two pixels the table never grows past 3-bit codes, so each pixel is
  // written as its own literal code: no compression, and nothing a decoder can disagree about.
  let sinceClear = 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (sinceClear === 2) {
        codes.write(CLEAR, 3);
        sinceClear = 0;
      }
      codes.write(((x >> 4) + (y >> 4)) & 3, 3);
      sinceClear++;
    }
  }
  codes.write(END, 3);
  const data = codes.bytes();

  const subBlocks: Buffer[] = [];
  for (let at = 0; at < data.length; at += 255) {
    const block = data.subarray(at, at + 255);
    subBlocks.push(Buffer.from([block.length]), block);
  }

  const screen = Buffer.alloc(7);
  screen.writeUInt16LE(width, 0);
  screen.writeUInt16LE(height, 2);
  screen[4] = 0x91; // global colour table, 2 bits of colour resolution, 4 entries
  const palette = Buffer.from([0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 0, 255]);
  const descriptor = Buffer.alloc(10);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(width, 5);
  descriptor.writeUInt16LE(height, 7);
  return Buffer.concat([
    Buffer.from('GIF89a', 'latin1'),
    screen,
    palette,
    descriptor,
    Buffer.from([MIN_CODE_SIZE]),
    ...subBlocks,
    Buffer.from([0x00, 0x3b]),
  ]);
}

class BitWriterLsb {
  readonly #out: number[] = [];
  #acc = 0;
  #bits = 0;

  write(value: number, count: number): void {
    this.#acc |= value << this.#bits;
    this.#bits += count;
    while (this.#bits >= 8) {
      this.#out.push(this.#acc & 0xff);
      this.#acc >>>= 8;
      this.#bits -= 8;
    }
  }

  bytes(): Buffer {
    return Buffer.from(this.#bits > 0 ? [...this.#out, this.#acc & 0xff] : this.#out);
  }
}

// --------------------------------------------------------------------------------------------------- JPEG

export interface JpegOptions {
  /** SOF2 with a DC scan then one AC scan per component, instead of a single baseline (SOF0) scan. */
  progressive?: boolean;
  /**
   * An EXIF APP1 segment before the frame header, carrying a 160x120 thumbnail JPEG: a reader that
   * searches for the first SOF bytes instead of walking segments finds the thumbnail's size.
   */
  exif?: boolean;
  /** Extra 0xFF fill bytes before the frame header's marker (allowed by T.81 B.1.1.2). */
  fillBytes?: number;
}

/** A YCbCr 4:4:4 JPEG of the given size, made of flat 8x8 blocks forming a colour gradient. */
export function makeJpeg(width: number, height: number, options: JpegOptions = {}): Buffer {
  const blocksWide = Math.ceil(width / 8);
  const blocksHigh = Math.ceil(height / 8);
  // Per component, per block: the quantised DC coefficient. A flat block of value v has DC = 8 * (v - 128);
  // with every quantiser at 8 that is v - 128.
  const dc = [0, 1, 2].map((component) => {
    const values: number[] = [];
    for (let by = 0; by < blocksHigh; by++) {
      for (let bx = 0; bx < blocksWide; bx++) {
        const v =
          component === 0
            ? Math.round((255 * (bx + by)) / Math.max(1, blocksWide + blocksHigh - 2))
            : component === 1
              ? Math.round((255 * bx) / Math.max(1, blocksWide - 1))
              : Math.round((255 * by) / Math.max(1, blocksHigh - 1));
        values.push(v - 128);
      }
    }
    return values;
  });

  const segments: Buffer[] = [Buffer.from([0xff, 0xd8])];
  segments.push(jpegSegment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 1, 1, 0, 0, 1, 0, 1, 0, 0])));
  if (options.exif) segments.push(jpegSegment(0xe1, exifWithThumbnail(makeJpeg(160, 120))));
  segments.push(jpegSegment(0xdb, Buffer.from([0x00, ...new Array<number>(64).fill(8)])));

  const frame = Buffer.alloc(15);
  frame[0] = 8; // sample precision
  frame.writeUInt16BE(height, 1);
  frame.writeUInt16BE(width, 3);
  frame[5] = 3;
  for (let c = 0; c < 3; c++) frame.set([c + 1, 0x11, 0], 6 + c * 3);
  if (options.fillBytes) segments.push(Buffer.alloc(options.fillBytes, 0xff));
  segments.push(jpegSegment(options.progressive ? 0xc2 : 0xc0, frame));

  segments.push(jpegSegment(0xc4, Buffer.concat([Buffer.from([0x00]), huffmanTableBody(DC_TABLE)])));
  segments.push(jpegSegment(0xc4, Buffer.concat([Buffer.from([0x10]), huffmanTableBody(AC_TABLE)])));

  const blocks = blocksWide * blocksHigh;
  if (!options.progressive) {
    segments.push(jpegSegment(0xda, Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])));
    const scan = new JpegScanWriter();
    const predictors = [0, 0, 0];
    for (let b = 0; b < blocks; b++) {
      for (let c = 0; c < 3; c++) {
        const value = dc[c]?.[b] ?? 0;
        scan.writeDc(value - (predictors[c] ?? 0));
        predictors[c] = value;
        scan.writeEndOfBlock();
      }
    }
    segments.push(scan.bytes());
  } else {
    // First scan: the DC coefficients of all three components, interleaved (Ss=0, Se=0, Ah=Al=0).
    segments.push(jpegSegment(0xda, Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0])));
    const dcScan = new JpegScanWriter();
    const predictors = [0, 0, 0];
    for (let b = 0; b < blocks; b++) {
      for (let c = 0; c < 3; c++) {
        const value = dc[c]?.[b] ?? 0;
        dcScan.writeDc(value - (predictors[c] ?? 0));
        predictors[c] = value;
      }
    }
    segments.push(dcScan.bytes());
    // Then the (all-zero) AC coefficients of each component in its own scan: one EOB per block.
    for (let c = 0; c < 3; c++) {
      segments.push(jpegSegment(0xda, Buffer.from([1, c + 1, 0x00, 1, 63, 0])));
      const acScan = new JpegScanWriter();
      for (let b = 0; b < blocks; b++) acScan.writeEndOfBlock();
      segments.push(acScan.bytes());
    }
  }
  segments.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(segments);
}

function jpegSegment(marker: number, body: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

interface HuffmanTable {
  /** How many codes have each length from 1 to 16 bits. */
  counts: readonly number[];
  symbols: readonly number[];
}

// The luminance DC table from T.81 Annex K.3: categories 0 to 11.
const DC_TABLE: HuffmanTable = {
  counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0],
  symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
};
// The luminance AC table from T.81 Annex K.3. Every AC coefficient here is zero, so the only symbol ever
// written is 0x00: EOB (an EOBRUN of 1 in a progressive AC scan). A table holding only that symbol would be
// valid too, but decoders treat such tiny tables unevenly; this one every decoder knows.
const AC_TABLE: HuffmanTable = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: [
    0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91,
    0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72, 0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a,
    0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53,
    0x54, 0x55, 0x56, 0x57, 0x58, 0x59, 0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79,
    0x7a, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3, 0xa4, 0xa5,
    0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9,
    0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2, 0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2,
    0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
  ],
};

function huffmanTableBody(table: HuffmanTable): Buffer {
  return Buffer.from([...table.counts, ...table.symbols]);
}

/** Canonical codes (T.81 Annex C): symbol -> [code, length]. */
function huffmanCodes(table: HuffmanTable): Map<number, [number, number]> {
  const codes = new Map<number, [number, number]>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < (table.counts[length - 1] ?? 0); i++) {
      codes.set(table.symbols[k++] ?? 0, [code++, length]);
    }
    code <<= 1;
  }
  return codes;
}

const DC_CODES = huffmanCodes(DC_TABLE);
const AC_CODES = huffmanCodes(AC_TABLE);

class JpegScanWriter {
  readonly #out: number[] = [];
  #acc = 0;
  #bits = 0;

  writeDc(diff: number): void {
    const magnitude = Math.abs(diff);
    const category = magnitude === 0 ? 0 : Math.floor(Math.log2(magnitude)) + 1;
    const [code, length] = DC_CODES.get(category) ?? [0, 0];
    this.#write(code, length);
    // Negative differences are written as diff - 1 in `category` bits (T.81 F.1.2.1.1).
    if (category > 0) this.#write(diff >= 0 ? diff : diff + (1 << category) - 1, category);
  }

  writeEndOfBlock(): void {
    const [code, length] = AC_CODES.get(0x00) ?? [0, 0];
    this.#write(code, length);
  }

  /** The entropy-coded bytes, padded with 1 bits and with every 0xFF followed by a stuffed 0x00. */
  bytes(): Buffer {
    if (this.#bits > 0) this.#write((1 << (8 - this.#bits)) - 1, 8 - this.#bits);
    return Buffer.from(this.#out);
  }

  #write(value: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) {
      this.#acc = (this.#acc << 1) | ((value >> i) & 1);
      this.#bits++;
      if (this.#bits === 8) {
        this.#out.push(this.#acc);
        if (this.#acc === 0xff) this.#out.push(0x00);
        this.#acc = 0;
        this.#bits = 0;
      }
    }
  }
}

/** An APP1 "Exif" body: a little-endian TIFF with an empty IFD0 and an IFD1 pointing at a thumbnail JPEG. */
function exifWithThumbnail(thumbnail: Buffer): Buffer {
  const tiff = Buffer.alloc(8 + 6 + 30);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4); // IFD0 offset
  tiff.writeUInt16LE(0, 8); // IFD0: no entries
  tiff.writeUInt32LE(14, 10); // next IFD: IFD1
  tiff.writeUInt16LE(2, 14); // IFD1: two entries
  const thumbnailOffset = tiff.length;
  // JPEGInterchangeFormat (0x0201) and JPEGInterchangeFormatLength (0x0202), both LONG, count 1.
  tiff.set([0x01, 0x02, 4, 0, 1, 0, 0, 0], 16);
  tiff.writeUInt32LE(thumbnailOffset, 24);
  tiff.set([0x02, 0x02, 4, 0, 1, 0, 0, 0], 28);
  tiff.writeUInt32LE(thumbnail.length, 36);
  tiff.writeUInt32LE(0, 40); // no further IFD
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, thumbnail]);
}

// --------------------------------------------------------------------------------------------------- HEIC

/**
 * The start of an iPhone's HEIC photo: an ISO BMFF `ftyp` box with the `heic` brand, then a `meta` box. Only
 * the brand matters here: the bot refuses HEIC by its bytes, before any decoder sees it (and no encoder for
 * HEVC ships with the test tools).
 */
export function makeHeicHeader(): Buffer {
  const ftyp = Buffer.concat([u32(24), Buffer.from('ftypheic'), u32(0), Buffer.from('mif1heic')]);
  const meta = Buffer.concat([u32(12), Buffer.from('meta'), u32(0)]);
  return Buffer.concat([ftyp, meta, Buffer.alloc(64)]);
}

function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value, 0);
  return bytes;
}
