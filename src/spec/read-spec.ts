/**
 * Reading a spec file without letting the file hurt: only a regular file is
 * read (a FIFO would block for ever, /dev/zero would fill memory), at most
 * MAX_SPEC_BYTES of it, and its bytes must be UTF-8 (a name that does not
 * decode would be silently replaced with U+FFFD and then never match).
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { invalidInput } from '../errors.js';

/** 10,000 devices with addresses take about 1.5 MB; a spec ten times that size is a mistake, not a spec. */
export const MAX_SPEC_BYTES = 16 * 1024 * 1024;

const KINDS: readonly [(s: import('node:fs').Stats) => boolean, string][] = [
  [(s) => s.isDirectory(), 'a directory'],
  [(s) => s.isFIFO(), 'a FIFO'],
  [(s) => s.isCharacterDevice(), 'a character device'],
  [(s) => s.isBlockDevice(), 'a block device'],
  [(s) => s.isSocket(), 'a socket'],
];

export async function readSpecBytes(path: string): Promise<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw invalidInput(`cannot read spec file '${path}': ${openErrorReason(e)}`);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) {
      const kind = KINDS.find(([is]) => is(st))?.[1] ?? 'not a regular file';
      throw invalidInput(`cannot read spec file '${path}': it is ${kind}; a spec must be a regular file`);
    }
    if (st.size > MAX_SPEC_BYTES) throw tooBig(path, st.size);
    // The file may grow while we read: never take more than the limit.
    const buf = Buffer.alloc(Math.min(st.size, MAX_SPEC_BYTES) + 1);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got === buf.length) break;
    }
    if (got > MAX_SPEC_BYTES) throw tooBig(path, got);
    return buf.subarray(0, got);
  } finally {
    await handle.close();
  }
}

function tooBig(path: string, size: number): Error {
  return invalidInput(`cannot read spec file '${path}': it is ${size} bytes or more; a spec may be at most ${MAX_SPEC_BYTES} bytes (16 MiB)`);
}

function openErrorReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return e instanceof Error ? e.message : String(e);
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The text of a spec; where its bytes are not UTF-8, the first bad byte by line and column. */
export function decodeSpec(bytes: Uint8Array, file: string): string {
  try {
    return strict.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw invalidInput(`spec file '${file}' is not valid UTF-8; nothing was read from it`, [
      { file, line: at.line, column: at.column, message: `byte 0x${at.byte.toString(16).padStart(2, '0')} is not valid UTF-8 here; save the file as UTF-8` },
    ]);
  }
}

/** Walks the bytes once by the UTF-8 rules (RFC 3629) to the first sequence that breaks them; column counts bytes. */
function firstInvalidUtf8(b: Uint8Array): { line: number; column: number; byte: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const at = { line, column: i - lineStart + 1, byte: c };
    if (c === 0x0a) {
      line++;
      lineStart = ++i;
      continue;
    }
    if (c < 0x80) {
      i++;
      continue;
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return at;
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      const [min, max] = k === 1 ? [lo, hi] : [0x80, 0xbf];
      if (d === undefined || d < min || d > max) return at; // the sequence that starts here is broken
    }
    i += n + 1;
  }
  return { line, column: b.length - lineStart + 1, byte: 0 };
}
