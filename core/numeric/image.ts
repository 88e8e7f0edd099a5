/** A 2D single-channel image, row-major: pixel (x = column, y = row) is data[y * width + x]. */
export interface Image2D {
  width: number
  height: number
  data: Float32Array
}

export function createImage(width: number, height: number, data?: Float32Array): Image2D {
  const n = width * height
  if (data && data.length !== n) throw new RangeError(`image data has ${data.length} values, expected ${width}x${height}`)
  return {width, height, data: data ?? new Float32Array(n)}
}
