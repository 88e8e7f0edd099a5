// Peak finding on a multi-scale LoG map, as RELION's LoG picker: only pixels whose best
// diameter is inside the range count; the strongest first, each pick excluding a disk around
// it (greedy non-maximum suppression). Greedy suppression only ever lets a stronger peak
// remove a weaker one, so the survivors above any threshold are the same whether the
// threshold is applied before or after: peaks are found once and thresholded later.
import type {LogResponse} from './log-filter.js'

export interface PeakOptions {
  diameterMin: number
  diameterMax: number
  /** Exclusion radius (working px) around a pick whose best diameter is d (A). */
  exclusionRadius: (diameter: number) => number
}

export interface Peak {
  /** Working-pixel position, sub-pixel. */
  x: number
  y: number
  score: number
  /** Best LoG diameter (A). */
  diameter: number
}

/** Mean and sigma of the responses of allowed pixels whose best diameter is in range (RELION's threshold base). */
export function inRangeStats(response: LogResponse, allowed: Uint8Array, opts: Pick<PeakOptions, 'diameterMin' | 'diameterMax'>): {mean: number; sigma: number; count: number} {
  const inRange = inRangeFlags(response.diameters, opts)
  let sum = 0
  let sum2 = 0
  let count = 0
  for (let p = 0; p < response.fom.length; p++) {
    if (!allowed[p] || !inRange[response.best[p]]) continue
    const v = response.fom[p]
    sum += v
    sum2 += v * v
    count++
  }
  if (count === 0) return {mean: 0, sigma: 0, count}
  const mean = sum / count
  return {mean, sigma: Math.sqrt(Math.max(0, sum2 / count - mean * mean)), count}
}

/** All peaks that survive suppression, strongest first. `allowed`: 1 where picks may be. */
export function findPeaks(response: LogResponse, width: number, height: number, allowed: Uint8Array, opts: PeakOptions): Peak[] {
  const inRange = inRangeFlags(response.diameters, opts)
  const ranked = new Float32Array(width * height).fill(-Infinity)
  for (let p = 0; p < ranked.length; p++) if (allowed[p] && inRange[response.best[p]]) ranked[p] = response.fom[p]
  const candidates = localMaxima(ranked, width, height)
  candidates.sort((a, b) => ranked[b] - ranked[a])
  return suppress(candidates, ranked, response, width, opts)
}

function inRangeFlags(diameters: number[], opts: Pick<PeakOptions, 'diameterMin' | 'diameterMax'>): boolean[] {
  return diameters.map((d) => d >= opts.diameterMin - 1e-6 && d <= opts.diameterMax + 1e-6)
}

/** Finite pixels that no 8-neighbour exceeds (ties: the first in raster order wins). */
function localMaxima(map: Float32Array, width: number, height: number): number[] {
  const out: number[] = []
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x
      const v = map[p]
      if (v === -Infinity) continue
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

function suppress(order: number[], ranked: Float32Array, response: LogResponse, width: number, opts: PeakOptions): Peak[] {
  const cell = Math.max(1, ...response.diameters.map((d) => opts.exclusionRadius(d)))
  const gridW = Math.ceil(width / cell)
  const grid = new Map<number, {x: number; y: number; r2: number}[]>()
  const height = ranked.length / width
  const peaks: Peak[] = []
  for (const p of order) {
    const x = p % width
    const y = (p - x) / width
    const cx = Math.floor(x / cell)
    const cy = Math.floor(y / cell)
    if (claimedBy(grid, gridW, cx, cy, x, y)) continue
    const diameter = response.diameters[response.best[p]]
    const r = opts.exclusionRadius(diameter)
    const key = cy * gridW + cx
    const claim = {x, y, r2: r * r}
    const list = grid.get(key)
    if (list) list.push(claim)
    else grid.set(key, [claim])
    const [sx, sy] = subPixel(response.fom, width, height, x, y)
    peaks.push({x: sx, y: sy, score: ranked[p], diameter})
  }
  return peaks
}

/** Whether (x, y) lies inside the exclusion disk of a pick in this or a neighbouring grid cell. */
function claimedBy(grid: Map<number, {x: number; y: number; r2: number}[]>, gridW: number, cx: number, cy: number, x: number, y: number): boolean {
  for (let gy = cy - 1; gy <= cy + 1; gy++) {
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (const a of grid.get(gy * gridW + gx) ?? []) {
        const dx = a.x - x
        const dy = a.y - y
        if (dx * dx + dy * dy < a.r2) return true
      }
    }
  }
  return false
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
