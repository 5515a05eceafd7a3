/**
 * Byte layouts of the zip records for a single stored, WinZip-AES encrypted entry (APPNOTE 6.3.x
 * and the WinZip AE-2 spec). Pure functions: no I/O, no crypto.
 */

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_EOCD = 0x06054b50;

/** AES needs 5.1; also covers zip64 (4.5). */
const VERSION_NEEDED = 51;
/** Unix host (so external attributes carry permissions), spec 6.3. */
const VERSION_MADE_BY = (3 << 8) | 63;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_UTF8 = 0x0800;
const METHOD_AES = 99;
const METHOD_STORE = 0;
const AES_STRENGTH_256 = 3;
/** AE-2: the CRC is left 0 and the HMAC alone protects the data (no plaintext CRC leak). */
const AES_VENDOR_VERSION = 2;
const UNIX_FILE_MODE = 0o100644;
const MAX_32 = 0xffffffff;

/** Salt (16 for AES-256) + password verifier (2) before the data; HMAC code (10) after it. */
export const AES_SALT_BYTES = 16;
export const AES_VERIFIER_BYTES = 2;
export const AES_AUTH_CODE_BYTES = 10;
export const AES_OVERHEAD = AES_SALT_BYTES + AES_VERIFIER_BYTES + AES_AUTH_CODE_BYTES;

/** What the records need to know about the entry. */
export interface EntryInfo {
  name: Buffer;
  size: number;
  mtime: Date | null;
  zip64: boolean;
}

/** Whether an entry of `size` bytes needs zip64 (any size or offset field would overflow). */
export function needsZip64(size: number, nameBytes: number): boolean {
  // The central directory offset is the largest value written: local header + data.
  return size + AES_OVERHEAD + 30 + nameBytes + 64 >= MAX_32;
}

export function localHeader(entry: EntryInfo): Buffer {
  const extra = Buffer.concat([
    entry.zip64 ? zip64Extra([entry.size, entry.size + AES_OVERHEAD]) : Buffer.alloc(0),
    timestampExtra(entry.mtime),
    aesExtra(),
  ]);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(SIG_LOCAL, 0);
  header.writeUInt16LE(VERSION_NEEDED, 4);
  header.writeUInt16LE(FLAG_ENCRYPTED | FLAG_UTF8, 6);
  header.writeUInt16LE(METHOD_AES, 8);
  writeDosTime(header, 10, entry.mtime);
  header.writeUInt32LE(0, 14);
  header.writeUInt32LE(entry.zip64 ? MAX_32 : entry.size + AES_OVERHEAD, 18);
  header.writeUInt32LE(entry.zip64 ? MAX_32 : entry.size, 22);
  header.writeUInt16LE(entry.name.length, 26);
  header.writeUInt16LE(extra.length, 28);
  return Buffer.concat([header, entry.name, extra]);
}

/** Central directory, zip64 end records when needed, and the end of central directory record. */
export function trailer(entry: EntryInfo, centralOffset: number): Buffer {
  const extra = Buffer.concat([
    entry.zip64 ? zip64Extra([entry.size, entry.size + AES_OVERHEAD]) : Buffer.alloc(0),
    timestampExtra(entry.mtime),
    aesExtra(),
  ]);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(SIG_CENTRAL, 0);
  central.writeUInt16LE(VERSION_MADE_BY, 4);
  central.writeUInt16LE(VERSION_NEEDED, 6);
  central.writeUInt16LE(FLAG_ENCRYPTED | FLAG_UTF8, 8);
  central.writeUInt16LE(METHOD_AES, 10);
  writeDosTime(central, 12, entry.mtime);
  central.writeUInt32LE(0, 16);
  central.writeUInt32LE(entry.zip64 ? MAX_32 : entry.size + AES_OVERHEAD, 20);
  central.writeUInt32LE(entry.zip64 ? MAX_32 : entry.size, 24);
  central.writeUInt16LE(entry.name.length, 28);
  central.writeUInt16LE(extra.length, 30);
  // comment length, disk number, internal attributes stay 0; local header offset is 0.
  central.writeUInt32LE((UNIX_FILE_MODE << 16) >>> 0, 38);
  const directory = Buffer.concat([central, entry.name, extra]);

  const records = [directory];
  if (entry.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(SIG_ZIP64_EOCD, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(VERSION_MADE_BY, 12);
    record.writeUInt16LE(VERSION_NEEDED, 14);
    record.writeBigUInt64LE(1n, 24);
    record.writeBigUInt64LE(1n, 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(centralOffset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(SIG_ZIP64_LOCATOR, 0);
    locator.writeBigUInt64LE(BigInt(centralOffset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    records.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(SIG_EOCD, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(entry.zip64 ? MAX_32 : centralOffset, 16);
  records.push(end);
  return Buffer.concat(records);
}

function zip64Extra(values: number[]): Buffer {
  const extra = Buffer.alloc(4 + 8 * values.length);
  extra.writeUInt16LE(0x0001, 0);
  extra.writeUInt16LE(8 * values.length, 2);
  values.forEach((v, i) => extra.writeBigUInt64LE(BigInt(v), 4 + 8 * i));
  return extra;
}

/** WinZip AES extra field (0x9901): AE-2, vendor "AE", AES-256, real method store. */
function aesExtra(): Buffer {
  const extra = Buffer.alloc(11);
  extra.writeUInt16LE(0x9901, 0);
  extra.writeUInt16LE(7, 2);
  extra.writeUInt16LE(AES_VENDOR_VERSION, 4);
  extra.write('AE', 6, 'latin1');
  extra.writeUInt8(AES_STRENGTH_256, 8);
  extra.writeUInt16LE(METHOD_STORE, 9);
  return extra;
}

/** Extended timestamp (0x5455): the exact UTC mtime, since DOS times are local and 2-second. */
function timestampExtra(mtime: Date | null): Buffer {
  const seconds = mtime ? Math.floor(mtime.getTime() / 1000) : NaN;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > MAX_32) return Buffer.alloc(0);
  const extra = Buffer.alloc(9);
  extra.writeUInt16LE(0x5455, 0);
  extra.writeUInt16LE(5, 2);
  extra.writeUInt8(1, 4);
  extra.writeUInt32LE(seconds, 5);
  return extra;
}

function writeDosTime(target: Buffer, offset: number, mtime: Date | null): void {
  const valid = mtime !== null && Number.isFinite(mtime.getTime());
  const year = valid ? Math.min(Math.max(mtime.getFullYear(), 1980), 2107) : 1980;
  const clamped = valid && year === mtime.getFullYear();
  const time = clamped ? (mtime.getHours() << 11) | (mtime.getMinutes() << 5) | (mtime.getSeconds() >> 1) : 0;
  const date = clamped ? ((year - 1980) << 9) | ((mtime.getMonth() + 1) << 5) | mtime.getDate() : ((year - 1980) << 9) | (1 << 5) | 1;
  target.writeUInt16LE(time, offset);
  target.writeUInt16LE(date, offset + 2);
}
