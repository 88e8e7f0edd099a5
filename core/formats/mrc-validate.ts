// The MRC validator, separate from decoding (as in mrcfile): checks a decoded header against the
// file size before anything sized by the header is allocated.
import {FormatError, type FormatProblemCode} from './errors.js'
import {MRC_HEADER_BYTES, IMOD_STAMP, type MrcHeader} from './mrc-header.js'
import {MRC_MODES, UNSIGNED_MODE_0, isReadableMode, type ModeCodec} from './mrc-modes.js'

/** Largest section we accept: 2^28 pixels (16384^2, 1 GiB as float32); larger is a corrupt header. */
export const MAX_SECTION_PIXELS = 2 ** 28

export interface MrcProblem {
  code: FormatProblemCode
  problem: string
}

/** The codec for a header's mode, honouring IMOD's unsigned mode-0 convention. */
export function codecFor(header: MrcHeader): ModeCodec | undefined {
  if (!isReadableMode(header.mode)) return undefined
  const imodUnsigned = header.mode === 0 && header.imodStamp === IMOD_STAMP && (header.imodFlags & 1) === 0
  return imodUnsigned ? UNSIGNED_MODE_0 : MRC_MODES[header.mode]
}

/** Byte count the header implies: 1024 + NSYMBT + NZ sections. */
export function impliedMrcFileSize(header: MrcHeader, codec: ModeCodec): number {
  return MRC_HEADER_BYTES + header.nsymbt + codec.sectionBytes(header.nx, header.ny) * header.nz
}

/** Problems that make the file unreadable, in the order a user should fix them; empty when readable. */
export function mrcHeaderProblems(header: MrcHeader, fileSize?: number): MrcProblem[] {
  const codec = codecFor(header)
  if (!codec) return [{code: 'unknown-mode', problem: `unsupported MRC mode ${header.mode} (readable: 0, 1, 2, 6, 12, 101)`}]
  const {nx, ny, nz, nsymbt} = header
  if (!(nx > 0 && ny > 0 && nz > 0)) {
    return [{code: 'absurd-dimensions', problem: `dimensions NX=${nx} NY=${ny} NZ=${nz} must all be positive`}]
  }
  if (nx * ny > MAX_SECTION_PIXELS) {
    return [{code: 'absurd-dimensions', problem: `section of ${nx} x ${ny} pixels exceeds the ${MAX_SECTION_PIXELS}-pixel limit`}]
  }
  if (nsymbt < 0) return [{code: 'corrupt', problem: `negative extended header size NSYMBT=${nsymbt}`}]
  if (fileSize === undefined) return []
  const implied = impliedMrcFileSize(header, codec)
  if (implied !== fileSize) {
    return [
      {
        code: 'size-mismatch',
        problem:
          `header implies ${implied} bytes (1024 + NSYMBT ${nsymbt} + ${nx} x ${ny} x ${nz} ${codec.description}) ` +
          `but the file has ${fileSize} bytes${fileSize < implied ? ' (truncated or still being written?)' : ''}`,
      },
    ]
  }
  return []
}

/** Throws the first problem as a FormatError naming the file. */
export function assertReadableMrc(header: MrcHeader, file: string, fileSize?: number): ModeCodec {
  const [first] = mrcHeaderProblems(header, fileSize)
  if (first) throw new FormatError(file, first.code, first.problem)
  return codecFor(header)!
}
