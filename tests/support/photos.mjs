// Photos as a phone makes them: the test fixtures (drawn by Chromium, so
// without metadata) with an Exif block that says who took them and where.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const photo = (name) => readFileSync(fixtures + name);

// A JPEG with Orientation = 6 (taken upright on a phone) and Artist = `artist`.
export function jpegWithExif(artist = 'Ana Lopez, 12 Elm Street') {
  const text = Buffer.from(artist + '\0', 'latin1');
  const tiff = Buffer.alloc(38);
  tiff.write('II*\0', 0, 'latin1');
  tiff.writeUInt32LE(8, 4);                // IFD0 at 8
  tiff.writeUInt16LE(2, 8);                // two entries, in tag order
  tiff.writeUInt16LE(0x0112, 10);          // Orientation, SHORT, 1, 6
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(6, 18);
  tiff.writeUInt16LE(0x013b, 22);          // Artist, ASCII, at 38
  tiff.writeUInt16LE(2, 24);
  tiff.writeUInt32LE(text.length, 26);
  tiff.writeUInt32LE(38, 30);
  tiff.writeUInt32LE(0, 34);               // no next IFD
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, text]);
  const header = Buffer.from([0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff]);
  const jpeg = photo('photo.jpg');
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}
