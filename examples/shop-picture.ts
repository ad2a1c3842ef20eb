// What docs/shop-report.png shows, as a fingerprint: `npm run screenshot` writes into the PNG a
// text chunk with the SHA-256 of the part of the HTML report it photographs, and
// test/docs/shop-picture.test.ts fails when the current report's part no longer has that hash.

import { createHash } from 'node:crypto';

/** The PNG text chunk's keyword. */
export const SOURCE_KEYWORD = 'cascade-analyzer:source-sha256';

/**
 * The photographed part of the report: the page from its start (head and style included) to the
 * end of the cascade picture's section, where the screenshot stops.
 */
export function photographedPart(html: string): string {
  const start = html.indexOf('<section id="picture">');
  if (start < 0) throw new Error('the report has no cascade picture (<section id="picture">)');
  const end = html.indexOf('</section>', start);
  if (end < 0) throw new Error('the cascade picture section is not closed');
  return html.slice(0, end + '</section>'.length);
}

export function sourceHash(html: string): string {
  return createHash('sha256').update(photographedPart(html), 'utf8').digest('hex');
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The PNG with a tEXt chunk `keyword`=`text` before IEND (an older one of that keyword removed). */
export function withTextChunk(png: Buffer, keyword: string, text: string): Buffer {
  const chunks = readChunks(png).filter((c) => !(c.type === 'tEXt' && textOf(c.data)?.keyword === keyword));
  const data = Buffer.concat([Buffer.from(keyword, 'latin1'), Buffer.from([0]), Buffer.from(text, 'latin1')]);
  const iend = chunks.findIndex((c) => c.type === 'IEND');
  chunks.splice(iend < 0 ? chunks.length : iend, 0, { type: 'tEXt', data });
  return Buffer.concat([SIGNATURE, ...chunks.map(encodeChunk)]);
}

/** The text of the PNG's tEXt chunk with that keyword, if it has one. */
export function readTextChunk(png: Buffer, keyword: string): string | undefined {
  for (const c of readChunks(png)) {
    const t = c.type === 'tEXt' ? textOf(c.data) : undefined;
    if (t?.keyword === keyword) return t.text;
  }
  return undefined;
}

interface Chunk {
  readonly type: string;
  readonly data: Buffer;
}

function readChunks(png: Buffer): Chunk[] {
  if (png.length < 8 || !png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG file');
  const out: Chunk[] = [];
  let at = 8;
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    out.push({ type, data: png.subarray(at + 8, at + 8 + length) });
    at += 12 + length;
    if (type === 'IEND') break;
  }
  return out;
}

function textOf(data: Buffer): { keyword: string; text: string } | undefined {
  const nul = data.indexOf(0);
  if (nul < 0) return undefined;
  return {
    keyword: data.subarray(0, nul).toString('latin1'),
    text: data.subarray(nul + 1).toString('latin1'),
  };
}

function encodeChunk(c: Chunk): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(c.data.length, 0);
  head.write(c.type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), c.data])), 0);
  return Buffer.concat([head, c.data, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
