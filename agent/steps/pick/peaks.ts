// Peak picking on the multi-scale LoG map, as RELION's LoG picker: only pixels whose best
// diameter is inside the range count; threshold = mean + k sigma of their responses; then the
// strongest first, each pick excluding a disk around it (greedy non-maximum suppression).
import type {LogResponse} from './log-filter.js'

export interface PeakOptions {
  diameterMin: number
  diameterMax: number
  thresholdAdjust: number
  upperThreshold: number | null
  /** Exclusion radius (working px) around a pick whose best diameter is d (A). */
  exclusionRadius: (diameter: number) => number
  maxPicks: number | null
}

export interface Peak {
  /** Working-pixel position, sub-pixel. */
  x: number
  y: number
  score: number
  /** Best LoG diameter (A). */
  diameter: number
}

export interface PeakSearch {
  peaks: Peak[]
  threshold: number
  /** Mean and sigma of the responses of in-range pixels (the threshold's base). */
  mean: number
  sigma: number
}

/** `allowed`: 1 where picks may be (edge margin, carbon mask). */
export function findPeaks(response: LogResponse, width: number, height: number, allowed: Uint8Array, opts: PeakOptions): PeakSearch {
  const {fom, best, diameters} = response
  const inRange = diameters.map((d) => d >= opts.diameterMin - 1e-6 && d <= opts.diameterMax + 1e-6)
  const ranked = new Float32Array(width * height).fill(-Infinity)
  let sum = 0
  let sum2 = 0
  let n = 0
  for (let p = 0; p < ranked.length; p++) {
    if (!allowed[p] || !inRange[best[p]]) continue
    const v = fom[p]
    ranked[p] = v
    sum += v
    sum2 += v * v
    n++
  }
  if (n === 0) return {peaks: [], threshold: Infinity, mean: 0, sigma: 0}
  const mean = sum / n
  const sigma = Math.sqrt(Math.max(0, sum2 / n - mean * mean))
  const threshold = mean + opts.thresholdAdjust * sigma
  const upper = opts.upperThreshold === null ? Infinity : mean + opts.upperThreshold * sigma

  const candidates = localMaxima(ranked, width, height, threshold)
  candidates.sort((a, b) => ranked[b] - ranked[a])
  const peaks = suppress(candidates, ranked, response, width, height, upper, opts)
  return {peaks, threshold, mean, sigma}
}

/** Pixels above threshold that no 8-neighbour exceeds (ties: the first in raster order wins). */
function localMaxima(map: Float32Array, width: number, height: number, threshold: number): number[] {
  const out: number[] = []
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x
      const v = map[p]
      if (!(v >= threshold)) continue
      let isMax = true
      for (let dy = -1; dy <= 1 && isMax; dy++) {
        const yy = y + dy
        if (yy < 0 || yy >= height) continue
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx
          if (xx < 0 || xx >= width || (dx === 0 && dy === 0)) continue
          const q = yy * width + xx
          const w = map[q]
          if (w > v || (w === v && q < p)) {
            isMax = false
            break
          }
        }
      }
      if (isMax) out.push(p)
    }
  }
  return out
}

/**
 * Greedy suppression, strongest first; a pick above the upper threshold still claims its disk
 * (so its flanks are not picked) but is not reported.
 */
function suppress(
  order: number[],
  ranked: Float32Array,
  response: LogResponse,
  width: number,
  height: number,
  upper: number,
  opts: PeakOptions,
): Peak[] {
  const maxRadius = Math.max(1, ...response.diameters.map((d) => opts.exclusionRadius(d)))
  const cell = maxRadius
  const gridW = Math.ceil(width / cell)
  const grid = new Map<number, {x: number; y: number; r2: number}[]>()
  const peaks: Peak[] = []
  for (const p of order) {
    if (opts.maxPicks !== null && peaks.length >= opts.maxPicks) break
    const x = p % width
    const y = (p - x) / width
    const cx = Math.floor(x / cell)
    const cy = Math.floor(y / cell)
    let excluded = false
    for (let gy = cy - 1; gy <= cy + 1 && !excluded; gy++) {
      for (let gx = cx - 1; gx <= cx + 1 && !excluded; gx++) {
        for (const a of grid.get(gy * gridW + gx) ?? []) {
          const dx = a.x - x
          const dy = a.y - y
          if (dx * dx + dy * dy < a.r2) {
            excluded = true
            break
          }
        }
      }
    }
    if (excluded) continue
    const diameter = response.diameters[response.best[p]]
    const r = opts.exclusionRadius(diameter)
    const key = cy * gridW + cx
    const list = grid.get(key)
    const claim = {x, y, r2: r * r}
    if (list) list.push(claim)
    else grid.set(key, [claim])
    if (ranked[p] > upper) continue
    const [sx, sy] = subPixel(response.fom, width, height, x, y)
    peaks.push({x: sx, y: sy, score: ranked[p], diameter})
  }
  return peaks
}

/** Vertex of a parabola through the peak and its two neighbours, per axis (within +-0.5 px). */
export function subPixel(map: Float32Array, width: number, height: number, x: number, y: number): [number, number] {
  const at = (xx: number, yy: number) => map[yy * width + xx]
  const offset = (m: number, c: number, p: number) => {
    const denom = m - 2 * c + p
    if (!(denom < 0)) return 0
    return Math.max(-0.5, Math.min(0.5, (0.5 * (m - p)) / denom))
  }
  const c = at(x, y)
  const dx = x > 0 && x < width - 1 ? offset(at(x - 1, y), c, at(x + 1, y)) : 0
  const dy = y > 0 && y < height - 1 ? offset(at(x, y - 1), c, at(x, y + 1)) : 0
  return [x + dx, y + dy]
}
