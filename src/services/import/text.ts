/**
 * Bytes of an import file to text: UTF-8 only, a byte-order mark dropped, and positions given as
 * the line and column a person sees in an editor.
 */
import { ImportError } from './errors.js';

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Line (1-based) and column (1-based, in characters) of a UTF-16 offset into `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    // \n, \r\n and a lone \r each end a line, as editors count them.
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      start = i + 1;
    }
  }
  let column = 1;
  for (let i = start; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) column++; // the low half of a surrogate pair is the same character
  }
  return { line, column };
}

/**
 * Offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF), or -1 when all of it is.
 */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) len = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      len = 3;
      if (b === 0xe0) lo = 0xa0;
      else if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      len = 4;
      if (b === 0xf0) lo = 0x90;
      else if (b === 0xf4) hi = 0x8f;
    } else return i;
    if (i + len > n) return i;
    const b1 = bytes[i + 1]!;
    if (b1 < lo || b1 > hi) return i;
    for (let k = 2; k < len; k++) {
      const c = bytes[i + k]!;
      if (c < 0x80 || c > 0xbf) return i;
    }
    i += len;
  }
  return -1;
}

/** Decodes an import file; refuses bytes that are not UTF-8, naming where they are. */
export function decodeImport(bytes: Uint8Array, file: string): string {
  try {
    return strict.decode(bytes); // drops a leading byte-order mark
  } catch {
    const at = firstInvalidUtf8(bytes);
    const before = at < 0 ? '' : new TextDecoder('utf-8').decode(bytes.subarray(0, at));
    const { line, column } = lineAndColumn(before, before.length);
    const byte = (bytes[at] ?? 0).toString(16).toUpperCase().padStart(2, '0');
    throw new ImportError(
      `${file}: line ${line}, column ${column}: byte 0x${byte} is not valid UTF-8 (the file is in another encoding, such as Windows-1252); save it as UTF-8 (in Excel: "CSV UTF-8") and import it again`,
      { file, line, column },
    );
  }
}
