// Small synthetic micrographs for the picker's unit tests: projected spheres (dark, as under
// underfocus) on white noise, with known centres. The physical simulator (scripts/simulator)
// is what the accuracy tests use; this isolates the kernels from CTF and ice.
import {createImage, type Image2D} from '../../../core/numeric/image.js'
import {createRng} from '../../../scripts/simulator/rng.js'

export interface BlobField {
  image: Image2D
  centres: [number, number][]
  /** Diameter (px) of each blob. */
  diameters: number[]
}

export interface BlobFieldOptions {
  width: number
  height: number
  /** Blob diameters are drawn uniformly from this range (px). */
  diameter: [number, number]
  count: number
  /** Peak darkening of a blob relative to the noise sigma. */
  contrast: number
  seed: number
  /** Keeps blob centres this far from the edge (px). */
  margin?: number
}

/** Non-overlapping blobs (centres at least 1.1 diameters apart) on unit-sigma noise around 100. */
export function blobField(o: BlobFieldOptions): BlobField {
  const rng = createRng(o.seed, 'blobs')
  const data = new Float32Array(o.width * o.height)
  for (let i = 0; i < data.length; i++) data[i] = 100 + rng.normal()
  const centres: [number, number][] = []
  const diameters: number[] = []
  const margin = o.margin ?? o.diameter[1]
  for (let attempt = 0; attempt < o.count * 50 && centres.length < o.count; attempt++) {
    const d = rng.uniform(o.diameter[0], o.diameter[1])
    const x = rng.uniform(margin, o.width - margin)
    const y = rng.uniform(margin, o.height - margin)
    if (centres.some(([cx, cy], k) => Math.hypot(cx - x, cy - y) < 0.55 * (d + diameters[k]) * 1.1)) continue
    centres.push([x, y])
    diameters.push(d)
    addSphere(data, o.width, o.height, x, y, d / 2, -o.contrast)
  }
  return {image: createImage(o.width, o.height, data), centres, diameters}
}

/** Adds amplitude x sqrt(1 - r^2/R^2): the projection of a uniform sphere. */
export function addSphere(data: Float32Array, width: number, height: number, x0: number, y0: number, radius: number, amplitude: number): void {
  for (let y = Math.max(0, Math.floor(y0 - radius)); y <= Math.min(height - 1, Math.ceil(y0 + radius)); y++) {
    for (let x = Math.max(0, Math.floor(x0 - radius)); x <= Math.min(width - 1, Math.ceil(x0 + radius)); x++) {
      const r2 = ((x - x0) ** 2 + (y - y0) ** 2) / (radius * radius)
      if (r2 < 1) data[y * width + x] += amplitude * Math.sqrt(1 - r2)
    }
  }
}
