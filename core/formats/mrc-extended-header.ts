// FEI1/FEI2 extended headers (Thermo Fisher MRC2014 metadata, one block per section, in the
// file's byte order; layout as in mrcfile's dtypes.py). We read the first block's dose and pixel size.
import {viewOf} from './file-range.js'

/** Enough bytes to hold the fields we read from the first block. */
export const FEI_FIRST_BLOCK_BYTES = 172
const FEI_DOSE_OFFSET = 92 // electrons per m^2
const FEI_PIXEL_SIZE_X_OFFSET = 156 // metres

export interface ExtendedHeaderInfo {
  /** Electrons per A^2 for one section (frame). */
  dosePerFrame?: number
  /** Angstrom. */
  pixelSize?: number
}

export function isFeiExtendedHeader(exttyp: string): boolean {
  return exttyp === 'FEI1' || exttyp === 'FEI2'
}

const positive = (x: number) => (Number.isFinite(x) && x > 0 ? x : undefined)

export function decodeFeiExtendedHeader(bytes: Uint8Array, littleEndian: boolean): ExtendedHeaderInfo {
  if (bytes.byteLength < FEI_FIRST_BLOCK_BYTES) return {}
  const view = viewOf(bytes)
  const dose = positive(view.getFloat64(FEI_DOSE_OFFSET, littleEndian))
  const pixel = positive(view.getFloat64(FEI_PIXEL_SIZE_X_OFFSET, littleEndian))
  return {dosePerFrame: dose === undefined ? undefined : dose * 1e-20, pixelSize: pixel === undefined ? undefined : pixel * 1e10}
}

/** Encodes a first FEI block (for fixtures and the simulator), zero elsewhere. */
export function encodeFeiBlock(info: ExtendedHeaderInfo, littleEndian: boolean, blockBytes = 768): Uint8Array {
  const bytes = new Uint8Array(blockBytes)
  const view = viewOf(bytes)
  view.setInt32(0, blockBytes, littleEndian)
  view.setInt32(4, 1, littleEndian)
  if (info.dosePerFrame !== undefined) view.setFloat64(FEI_DOSE_OFFSET, info.dosePerFrame * 1e20, littleEndian)
  if (info.pixelSize !== undefined) view.setFloat64(FEI_PIXEL_SIZE_X_OFFSET, info.pixelSize * 1e-10, littleEndian)
  return bytes
}
