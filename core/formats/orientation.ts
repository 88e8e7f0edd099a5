// MRC puts row 0 at the bottom of the picture, TIFF at the top: IMOD, SerialEM, MotionCor2 and
// RELION flip TIFF along Y (the slow axis) when reading and writing, and so do we.

/** A copy of a row-major image with its rows in reverse order. */
export function flipRows(data: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height)
  for (let y = 0; y < height; y++) out.set(data.subarray(y * width, (y + 1) * width), (height - 1 - y) * width)
  return out
}
