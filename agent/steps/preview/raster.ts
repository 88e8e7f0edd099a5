// 8-bit rasters for previews and their PNG encoding (fast-png).
import {writeFile} from 'node:fs/promises'
import {encode} from 'fast-png'

export interface Raster {
  width: number
  height: number
  /** 1 = grey, 3 = RGB. */
  channels: 1 | 3
  data: Uint8Array
}

export function grayRaster(width: number, height: number, data: Uint8Array): Raster {
  return {width, height, channels: 1, data}
}

/** The same picture as RGB (to draw coloured overlays on). */
export function toRgb(r: Raster): Raster {
  if (r.channels === 3) return r
  const data = new Uint8Array(r.width * r.height * 3)
  for (let i = 0; i < r.width * r.height; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = r.data[i]
  return {width: r.width, height: r.height, channels: 3, data}
}

/** Draws a ring of the given radius (px) and colour, about 2 px wide, clipped to the raster (RGB only). */
export function drawRing(r: Raster, cx: number, cy: number, radius: number, rgb: [number, number, number]): void {
  if (r.channels !== 3) throw new RangeError('drawRing needs an RGB raster')
  const outer = radius + 1
  const inner = Math.max(0, radius - 1)
  for (let y = Math.max(0, Math.floor(cy - outer)); y <= Math.min(r.height - 1, Math.ceil(cy + outer)); y++) {
    for (let x = Math.max(0, Math.floor(cx - outer)); x <= Math.min(r.width - 1, Math.ceil(cx + outer)); x++) {
      const d = Math.hypot(x - cx, y - cy)
      if (d < inner || d > outer) continue
      const p = 3 * (y * r.width + x)
      r.data[p] = rgb[0]
      r.data[p + 1] = rgb[1]
      r.data[p + 2] = rgb[2]
    }
  }
}

export function encodePng(r: Raster): Uint8Array {
  return encode({width: r.width, height: r.height, data: r.data, channels: r.channels, depth: 8})
}

export async function writePng(path: string, r: Raster): Promise<void> {
  await writeFile(path, encodePng(r))
}
