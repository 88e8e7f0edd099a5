// The specimen as the electron wave sees it, at the movie's pixel size: a projected phase
// (particles with internal domains, amorphous-ice texture, carbon film) and a slowly varying
// transmitted intensity (inelastic loss through ice of varying thickness, energy filter in).
import {electronWavelength} from '../../core/ctf/ctf-model.js'
import {sfc32, type Rng} from './rng.js'
import {randomSmoothField, renderField} from './smooth-field.js'

export type SpecimenVariant = 'normal' | 'carbon-edge' | 'empty-hole' | 'aggregates' | 'crystalline-ice'

export interface SpecimenOptions {
  width: number
  height: number
  /** Pixel size (A). */
  pixelSize: number
  /** Acceleration voltage (kV), for the interaction constant. */
  voltage: number
  /** Mean particle diameter (A). */
  particleDiameter: number
  /** Fraction of the ice area covered by isolated particles (0..0.4). */
  coverage: number
  /** Mean ice thickness (nm) and its relative RMS variation across the field. */
  iceThickness: number
  iceVariation: number
  variant: SpecimenVariant
}

export interface Specimen {
  /** Projected phase shift (rad), row-major width x height. */
  phase: Float32Array
  /** Transmitted (zero-loss) intensity fraction per pixel. */
  transmission: Float32Array
  /** Centres of isolated particles (px, x = column, y = row). */
  particles: [number, number][]
  /** Aggregates: centre and radius (px). */
  aggregates: [number, number, number][]
  /** Lattice spacings (A) of crystalline-ice rings, empty for vitreous ice. */
  iceRings: number[]
}

/** Mean inner potential differences (V): protein vs vitreous ice, carbon vs ice. */
const PROTEIN_CONTRAST_POTENTIAL = 2.5
const CARBON_POTENTIAL = 9
/** Inelastic mean free path (nm) at 300 kV; scaled by velocity^2 at other voltages. */
const INELASTIC_MFP_300KV = 350
/** Phase RMS (rad) of 1 A^2 of 40 nm amorphous ice: gives Thon rings like a real micrograph. */
const ICE_PHASE_RMS_PER_A = 0.07
/** Hexagonal ice reflections (A): (100), (002), (101). */
const HEXAGONAL_ICE_SPACINGS = [3.9, 3.67, 3.44]

/** Interaction constant sigma (rad per V per A) at an acceleration voltage in kV. */
export function interactionConstant(kilovolts: number): number {
  const v = kilovolts * 1000
  const restEnergy = 510998.95
  return ((2 * Math.PI) / (electronWavelength(kilovolts) * v)) * ((restEnergy + v) / (2 * restEnergy + v))
}

export function buildSpecimen(o: SpecimenOptions, rng: Rng): Specimen {
  const {width, height} = o
  const n = width * height
  const phase = new Float32Array(n)
  const geometry = drawGeometry(o, rng)
  const thickness = renderThickness(o, rng, geometry.carbon)
  addIceTexture(phase, thickness, o, rng)
  if (geometry.carbon) addCarbon(phase, geometry.carbon, o, rng)
  const sigma = interactionConstant(o.voltage)
  const radius = o.particleDiameter / 2 / o.pixelSize
  const particles = o.variant === 'empty-hole' ? [] : placeParticles(o, rng, radius, geometry.carbon)
  for (const [x, y] of particles) renderParticle(phase, width, height, x, y, radius * rng.uniform(0.92, 1.08), sigma, o.pixelSize, rng)
  const aggregates = o.variant === 'aggregates' ? renderAggregates(phase, o, rng, radius, sigma, particles) : []
  const transmission = new Float32Array(n)
  const mfp = INELASTIC_MFP_300KV * (o.voltage / 300) ** 0.8
  for (let i = 0; i < n; i++) transmission[i] = Math.exp(-thickness[i] / mfp)
  return {phase, transmission, particles, aggregates, iceRings: o.variant === 'crystalline-ice' ? HEXAGONAL_ICE_SPACINGS : []}
}

/** Where the hole edge lies: carbon outside a circle of the hole's radius (px). */
interface CarbonEdge {
  cx: number
  cy: number
  holeRadius: number
}

function drawGeometry(o: SpecimenOptions, rng: Rng): {carbon?: CarbonEdge} {
  if (o.variant !== 'carbon-edge') return {}
  // Holes are 1.2-2 um across; the edge passes through the middle part of the field.
  const holeRadius = (rng.uniform(6000, 10000) / o.pixelSize)
  const px = o.width * rng.uniform(0.3, 0.7)
  const py = o.height * rng.uniform(0.3, 0.7)
  const dir = rng.uniform(0, 2 * Math.PI)
  return {carbon: {cx: px - holeRadius * Math.cos(dir), cy: py - holeRadius * Math.sin(dir), holeRadius}}
}

function onCarbon(c: CarbonEdge | undefined, x: number, y: number): boolean {
  return c !== undefined && Math.hypot(x - c.cx, y - c.cy) > c.holeRadius
}

/** Ice thickness (nm) per pixel; thicker over the carbon support, a film only in an empty hole. */
function renderThickness(o: SpecimenOptions, rng: Rng, carbon: CarbonEdge | undefined): Float32Array {
  const field = renderField(randomSmoothField(o.width, o.height, rng, Math.max(o.width, o.height) / 2))
  const mean = o.variant === 'empty-hole' ? 2 : o.iceThickness
  for (let y = 0, i = 0; y < o.height; y++) {
    for (let x = 0; x < o.width; x++, i++) {
      const t = mean * (1 + o.iceVariation * field[i])
      field[i] = Math.max(1, onCarbon(carbon, x, y) ? t + 30 : t)
    }
  }
  return field
}

/**
 * Amorphous ice: white phase noise whose variance grows with local thickness. Each value is
 * the sum of the four bytes of one random word (Irwin-Hall, near-Gaussian; the CTF's
 * convolution makes it Gaussian anyway) - 4x cheaper than Box-Muller at 4096^2.
 */
function addIceTexture(phase: Float32Array, thickness: Float32Array, o: SpecimenOptions, rng: Rng): void {
  const perPixel = ICE_PHASE_RMS_PER_A / o.pixelSize
  const s = rng.state()
  const byteSumMean = 510
  const byteSumSd = Math.sqrt((4 * (256 * 256 - 1)) / 12)
  const scale = perPixel / byteSumSd / Math.sqrt(40)
  for (let i = 0; i < phase.length; i++) {
    const w = sfc32(s)
    const sum = (w & 255) + ((w >>> 8) & 255) + ((w >>> 16) & 255) + (w >>> 24)
    phase[i] += (sum - byteSumMean) * scale * Math.sqrt(thickness[i])
  }
}

/** Carbon film: a phase step with a soft edge plus stronger amorphous texture. */
function addCarbon(phase: Float32Array, c: CarbonEdge, o: SpecimenOptions, rng: Rng): void {
  const filmThickness = rng.uniform(80, 150) // A
  const step = interactionConstant(o.voltage) * CARBON_POTENTIAL * filmThickness
  const texture = (2 * ICE_PHASE_RMS_PER_A) / o.pixelSize
  const edgeWidth = 20 / o.pixelSize
  for (let y = 0, i = 0; y < o.height; y++) {
    for (let x = 0; x < o.width; x++, i++) {
      const d = Math.hypot(x - c.cx, y - c.cy) - c.holeRadius
      if (d < -3 * edgeWidth) continue
      const m = 1 / (1 + Math.exp(-d / edgeWidth))
      phase[i] += m * (step + rng.normal() * texture)
    }
  }
}

/** Random, non-overlapping centres in the ice until the coverage is reached (rejection sampling). */
function placeParticles(o: SpecimenOptions, rng: Rng, radius: number, carbon: CarbonEdge | undefined): [number, number][] {
  const target = Math.floor((o.coverage * o.width * o.height) / (Math.PI * radius * radius))
  const cell = 2.2 * radius
  const gw = Math.ceil(o.width / cell)
  const grid = new Map<number, [number, number][]>()
  const out: [number, number][] = []
  const margin = radius
  for (let attempt = 0; attempt < target * 30 && out.length < target; attempt++) {
    const x = rng.uniform(margin, o.width - margin)
    const y = rng.uniform(margin, o.height - margin)
    // Particles avoid the carbon (they partition into the hole).
    if (onCarbon(carbon, x, y) && rng.next() < 0.9) continue
    const gx = Math.floor(x / cell)
    const gy = Math.floor(y / cell)
    let free = true
    for (let dy = -1; dy <= 1 && free; dy++) {
      for (let dx = -1; dx <= 1 && free; dx++) {
        for (const [px, py] of grid.get((gy + dy) * gw + gx + dx) ?? []) if (Math.hypot(px - x, py - y) < cell) free = false
      }
    }
    if (!free) continue
    const key = gy * gw + gx
    grid.set(key, [...(grid.get(key) ?? []), [x, y]])
    out.push([x, y])
  }
  return out
}

/**
 * One particle: projected thickness of a slightly elliptical sphere, modulated by a few
 * Gaussian domains (random orientation -> random projected structure).
 */
function renderParticle(phase: Float32Array, width: number, height: number, x0: number, y0: number, radius: number, sigma: number, pixelSize: number, rng: Rng): void {
  const aspect = rng.uniform(1, 1.3)
  const angle = rng.uniform(0, Math.PI)
  const ca = Math.cos(angle)
  const sa = Math.sin(angle)
  const a = radius * Math.sqrt(aspect)
  const b = radius / Math.sqrt(aspect)
  const domains = Array.from({length: 5 + rng.int(5)}, () => {
    const r = 0.7 * radius * Math.sqrt(rng.next())
    const t = rng.uniform(0, 2 * Math.PI)
    const s = radius * rng.uniform(0.15, 0.35)
    return {x: r * Math.cos(t), y: r * Math.sin(t), inv2s2: 1 / (2 * s * s), weight: rng.uniform(-0.6, 0.9)}
  })
  const peak = sigma * PROTEIN_CONTRAST_POTENTIAL * 2 * radius * pixelSize
  const x1 = Math.max(0, Math.floor(x0 - a))
  const x2 = Math.min(width - 1, Math.ceil(x0 + a))
  const y1 = Math.max(0, Math.floor(y0 - a))
  const y2 = Math.min(height - 1, Math.ceil(y0 + a))
  // A clump member can fall outside the map.
  if (x2 < x1 || y2 < y1) return
  // Each Gaussian domain is separable, exp(-(dx^2 + dy^2) k) = exp(-dx^2 k) exp(-dy^2 k): one
  // column table per particle and one factor per row, so a pixel costs multiplies, not exps.
  const columns = x2 - x1 + 1
  const columnFactors = new Float64Array(domains.length * columns)
  domains.forEach((d, j) => {
    for (let x = x1; x <= x2; x++) columnFactors[j * columns + x - x1] = d.weight * Math.exp(-((x - x0 - d.x) ** 2) * d.inv2s2)
  })
  const rowFactors = new Float64Array(domains.length)
  for (let y = y1; y <= y2; y++) {
    const dy = y - y0
    domains.forEach((d, j) => (rowFactors[j] = Math.exp(-((dy - d.y) ** 2) * d.inv2s2)))
    for (let x = x1; x <= x2; x++) {
      const dx = x - x0
      const u = (dx * ca + dy * sa) / a
      const v = (-dx * sa + dy * ca) / b
      const r2 = u * u + v * v
      if (r2 >= 1) continue
      let modulation = 1
      for (let j = 0; j < domains.length; j++) modulation += rowFactors[j] * columnFactors[j * columns + x - x1]
      phase[y * width + x] += peak * Math.sqrt(1 - r2) * Math.max(0, modulation) * 0.6
    }
  }
}

/** Dense clumps of overlapping particles; isolated particles inside a clump are removed. */
function renderAggregates(phase: Float32Array, o: SpecimenOptions, rng: Rng, radius: number, sigma: number, particles: [number, number][]): [number, number, number][] {
  const clumps: [number, number, number][] = []
  for (let c = 0, count = 2 + rng.int(4); c < count; c++) {
    const members = 8 + rng.int(25)
    const clumpRadius = radius * Math.sqrt(members) * 0.9
    const cx = rng.uniform(clumpRadius, o.width - clumpRadius)
    const cy = rng.uniform(clumpRadius, o.height - clumpRadius)
    for (let m = 0; m < members; m++) {
      const r = clumpRadius * Math.sqrt(rng.next())
      const t = rng.uniform(0, 2 * Math.PI)
      renderParticle(phase, o.width, o.height, cx + r * Math.cos(t), cy + r * Math.sin(t), radius * rng.uniform(0.9, 1.1), sigma, o.pixelSize, rng)
    }
    clumps.push([cx, cy, clumpRadius + radius])
  }
  const isolated = particles.filter(([x, y]) => clumps.every(([cx, cy, r]) => Math.hypot(x - cx, y - cy) > r + radius))
  particles.length = 0
  particles.push(...isolated)
  return clumps
}
