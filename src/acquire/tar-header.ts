/** Telling a tar header from text that happens to hold 'ustar': shared by the archive reader and nested-archive detection. */

/**
 * A tar header's checksum: the sum of its 512 bytes with the checksum field read as spaces, written in octal in that
 * field. Source code can hold 'ustar' at byte 257 (tar-stream's own headers.js does); it does not hold this too.
 */
export function tarChecksumOk(head: Buffer): boolean {
  if (head.length < 512) return false;
  // The field is octal digits, padded with spaces or NULs on either side (writers differ).
  let field = '';
  for (const b of head.subarray(148, 156)) {
    if (b >= 0x30 && b <= 0x37) field += String.fromCharCode(b);
    else if (b !== 0x20 && b !== 0) return false;
    else if (field) break;
  }
  if (field === '') return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : head[i];
  return sum === parseInt(field, 8);
}
