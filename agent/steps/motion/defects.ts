// Bad pixels: a MotionCor2-style defect list, zeros in the gain, and hot pixels found in the
// unaligned sum (RELION: > mean + 6 sigma). Each is replaced, per frame, by a good neighbour
// chosen pseudo-randomly so that the replaced pixels keep the frame's noise statistics.

/** Parses "x y w h" lines (0-based pixel rectangles); blank lines and '#' comments are skipped. */
export function parseDefectText(text: string): {x: number; y: number; w: number; h: number}[] {
  const rects: {x: number; y: number; w: number; h: number}[] = []
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.replace(/#.*/, '').trim()
    if (!t) return
    const f = t.split(/\s+/).map(Number)
    if (f.length !== 4 || !f.every((v) => Number.isInteger(v)) || f[2] < 0 || f[3] < 0) {
      throw new DefectSyntaxError(i + 1, line)
    }
    rects.push({x: f[0], y: f[1], w: f[2], h: f[3]})
  })
  return rects
}

export class DefectSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly text: string,
  ) {
    super(`line ${line}: expected "x y w h" (four integers), got "${text.trim()}"`)
  }
}

/** Marks rectangles (clipped to the image) in a width x height mask. */
export function markRectangles(mask: Uint8Array, width: number, height: number, rects: {x: number; y: number; w: number; h: number}[]): void {
  for (const r of rects) {
    for (let y = Math.max(0, r.y); y < Math.min(height, r.y + r.h); y++) {
      for (let x = Math.max(0, r.x); x < Math.min(width, r.x + r.w); x++) mask[y * width + x] = 1
    }
  }
}

/** Marks every pixel where `values` is non-zero (defect maps) or, with `zero`, where it is zero (gain). */
export function markWhere(mask: Uint8Array, values: Float32Array, zero: boolean): number {
  let n = 0
  for (let i = 0; i < values.length; i++) {
    if ((values[i] === 0) === zero && !mask[i]) {
      mask[i] = 1
      n++
    }
  }
  return n
}

export interface HotPixelStats {
  mean: number
  std: number
  threshold: number
  count: number
}

/** Marks pixels of the unaligned sum above mean + sigma * std (not already marked). */
export function markHotPixels(mask: Uint8Array, sum: Float32Array, sigma: number): HotPixelStats {
  let s = 0
  for (let i = 0; i < sum.length; i++) s += sum[i]
  const mean = s / sum.length
  let v = 0
  for (let i = 0; i < sum.length; i++) v += (sum[i] - mean) ** 2
  const std = Math.sqrt(v / sum.length)
  const threshold = mean + sigma * std
  let count = 0
  for (let i = 0; i < sum.length; i++) {
    if (sum[i] > threshold && !mask[i]) {
      mask[i] = 1
      count++
    }
  }
  return {mean, std, threshold, count}
}

/** Indices of marked pixels, computed once per movie and reused for every frame. */
export function badPixelList(mask: Uint8Array): Int32Array {
  let n = 0
  for (let i = 0; i < mask.length; i++) n += mask[i]
  const list = new Int32Array(n)
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) list[k++] = i
  return list
}

const RADIUS = 2
const MIN_GOOD = 6

/**
 * Replaces each bad pixel by a good pixel within 2 px (chosen by a hash of pixel and frame);
 * where fewer than 6 are good (big defects), by the frame's mean.
 */
export function replaceBadPixels(frame: Float32Array, width: number, height: number, mask: Uint8Array, bad: Int32Array, frameIndex: number, frameMean: number): void {
  const good = new Float32Array((2 * RADIUS + 1) ** 2)
  for (const p of bad) {
    const px = p % width
    const py = (p - px) / width
    let n = 0
    for (let y = Math.max(0, py - RADIUS); y <= Math.min(height - 1, py + RADIUS); y++) {
      for (let x = Math.max(0, px - RADIUS); x <= Math.min(width - 1, px + RADIUS); x++) {
        const q = y * width + x
        if (!mask[q]) good[n++] = frame[q]
      }
    }
    frame[p] = n >= MIN_GOOD ? good[hash(p, frameIndex) % n] : frameMean
  }
}

function hash(a: number, b: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x632be5ab, 0xc2b2ae35)
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  return (h ^ (h >>> 12)) >>> 0
}
