// Smooth random fields (ice thickness, local drift) as a sum of a few random plane waves,
// evaluated on a coarse grid and bilinearly interpolated: smooth by construction and cheap
// at 4096x4096, where evaluating cosines per pixel would dominate the run time.
import type {Rng} from './rng.js'

export interface SmoothField {
  /** Grid nodes per axis (including both ends). */
  readonly nx: number
  readonly ny: number
  /** Field value at grid node (i, j), row-major, zero mean, unit RMS over the nodes. */
  readonly nodes: Float32Array
  readonly width: number
  readonly height: number
}

/**
 * A random field over a width x height image whose features are at least
 * `minWavelength` pixels across (wavelengths drawn in [minWavelength, 2 * max(width, height)]).
 */
export function randomSmoothField(width: number, height: number, rng: Rng, minWavelength: number, components = 6): SmoothField {
  const nx = Math.max(2, Math.ceil((width / minWavelength) * 4) + 1)
  const ny = Math.max(2, Math.ceil((height / minWavelength) * 4) + 1)
  const maxWavelength = 2 * Math.max(width, height)
  const waves = Array.from({length: components}, () => {
    const wavelength = minWavelength * Math.pow(maxWavelength / minWavelength, rng.next())
    const direction = rng.uniform(0, 2 * Math.PI)
    const k = (2 * Math.PI) / wavelength
    return {kx: k * Math.cos(direction), ky: k * Math.sin(direction), phase: rng.uniform(0, 2 * Math.PI), amplitude: rng.uniform(0.5, 1)}
  })
  const nodes = new Float32Array(nx * ny)
  for (let j = 0; j < ny; j++) {
    const y = (j / (ny - 1)) * (height - 1)
    for (let i = 0; i < nx; i++) {
      const x = (i / (nx - 1)) * (width - 1)
      let v = 0
      for (const w of waves) v += w.amplitude * Math.cos(w.kx * x + w.ky * y + w.phase)
      nodes[j * nx + i] = v
    }
  }
  normalizeNodes(nodes)
  return {nx, ny, nodes, width, height}
}

function normalizeNodes(nodes: Float32Array): void {
  let mean = 0
  for (const v of nodes) mean += v
  mean /= nodes.length
  let sq = 0
  for (const v of nodes) sq += (v - mean) ** 2
  const rms = Math.sqrt(sq / nodes.length) || 1
  for (let i = 0; i < nodes.length; i++) nodes[i] = (nodes[i] - mean) / rms
}

/** Field value at image position (x = column, y = row), bilinear between grid nodes. */
export function sampleField(f: SmoothField, x: number, y: number): number {
  const gx = Math.min(Math.max((x / Math.max(1, f.width - 1)) * (f.nx - 1), 0), f.nx - 1)
  const gy = Math.min(Math.max((y / Math.max(1, f.height - 1)) * (f.ny - 1), 0), f.ny - 1)
  const i = Math.min(Math.floor(gx), f.nx - 2)
  const j = Math.min(Math.floor(gy), f.ny - 2)
  const fx = gx - i
  const fy = gy - j
  const n = f.nodes
  const a = n[j * f.nx + i] * (1 - fx) + n[j * f.nx + i + 1] * fx
  const b = n[(j + 1) * f.nx + i] * (1 - fx) + n[(j + 1) * f.nx + i + 1] * fx
  return a * (1 - fy) + b * fy
}

/** Where fixed points x fall between a field's node columns: worked out once, used for every row. */
export interface FieldColumns {
  /** Node column left of each point. */
  readonly index: Int32Array
  /** Weight of the node column right of it. */
  readonly fraction: Float64Array
}

export function fieldColumns(f: SmoothField, xs: Float64Array): FieldColumns {
  const index = new Int32Array(xs.length)
  const fraction = new Float64Array(xs.length)
  const xScale = Math.max(1, f.width - 1)
  for (let k = 0; k < xs.length; k++) {
    const gx = Math.min(Math.max((xs[k] / xScale) * (f.nx - 1), 0), f.nx - 1)
    index[k] = Math.min(Math.floor(gx), f.nx - 2)
    fraction[k] = gx - index[k]
  }
  return {index, fraction}
}

/**
 * sampleField(f, xs[k], y) into `into[k]` for every point of `columns` (fieldColumns(f, xs)),
 * bit for bit: the same arithmetic, with the column and row parts worked out once.
 */
export function sampleFieldAlongRow(f: SmoothField, y: number, columns: FieldColumns, into: Float64Array): void {
  const gy = Math.min(Math.max((y / Math.max(1, f.height - 1)) * (f.ny - 1), 0), f.ny - 1)
  const j = Math.min(Math.floor(gy), f.ny - 2)
  const fy = gy - j
  const n = f.nodes
  const top = j * f.nx
  const bottom = (j + 1) * f.nx
  const {index, fraction} = columns
  for (let k = 0; k < index.length; k++) {
    const i = index[k]
    const fx = fraction[k]
    const a = n[top + i] * (1 - fx) + n[top + i + 1] * fx
    const b = n[bottom + i] * (1 - fx) + n[bottom + i + 1] * fx
    into[k] = a * (1 - fy) + b * fy
  }
}

/** The field rendered at full resolution (one value per pixel), same values as sampleField. */
export function renderField(f: SmoothField): Float32Array {
  const out = new Float32Array(f.width * f.height)
  const n = f.nodes
  const sx = (f.nx - 1) / Math.max(1, f.width - 1)
  const sy = (f.ny - 1) / Math.max(1, f.height - 1)
  // Per row: the two node rows blended once; per pixel: one lerp between neighbouring nodes.
  const blended = new Float32Array(f.nx)
  for (let y = 0; y < f.height; y++) {
    const gy = y * sy
    const j = Math.min(Math.floor(gy), f.ny - 2)
    const fy = gy - j
    for (let i = 0; i < f.nx; i++) blended[i] = n[j * f.nx + i] * (1 - fy) + n[(j + 1) * f.nx + i] * fy
    const row = y * f.width
    for (let x = 0; x < f.width; x++) {
      const gx = x * sx
      const i = Math.min(gx | 0, f.nx - 2)
      const fx = gx - i
      out[row + x] = blended[i] * (1 - fx) + blended[i + 1] * fx
    }
  }
  return out
}
