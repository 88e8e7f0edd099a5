// Small synthetic movies with known motion for the motion step's unit tests: a band-limited
// random specimen (weak contrast around the dose), moved by sub-pixel Fourier shifts, with
// Poisson counting noise. The simulator (scripts/simulator) makes the realistic ones.
import {realFft2D} from '../../../../core/numeric/fft.js'
import {fourierShift} from '../../../../core/numeric/fourier-shift.js'
import {halfWidth, rowFrequency} from '../../../../core/numeric/half-complex.js'

export interface SyntheticMovie {
  width: number
  height: number
  frames: Float32Array[]
  /** Specimen motion per frame (px), frame 0 = [0, 0]; the shift that undoes it is minus this. */
  motion: [number, number][]
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function poisson(mean: number, rand: () => number): number {
  if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rand)))
  const l = Math.exp(-mean)
  let k = 0
  let p = 1
  do {
    k++
    p *= rand()
  } while (p > l)
  return k - 1
}

export function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand())
}

/** Random specimen with a smooth spectrum, scaled to mean 0 and unit standard deviation. */
export function specimen(width: number, height: number, seed: number): Float32Array {
  const rand = mulberry32(seed)
  const img = Float32Array.from({length: width * height}, () => gaussian(rand))
  const fft = realFft2D(width, height)
  const s = fft.forward(img)
  const hw = halfWidth(width)
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < hw; i++) {
      const k = Math.hypot(i / width, rowFrequency(j, height) / height)
      const w = i === 0 && j === 0 ? 0 : 1 / (1 + (k / 0.04) ** 2)
      s[2 * (j * hw + i)] *= w
      s[2 * (j * hw + i) + 1] *= w
    }
  }
  const out = fft.inverse(s)
  let m = 0
  for (const v of out) m += v * v
  const sd = Math.sqrt(m / out.length)
  for (let i = 0; i < out.length; i++) out[i] /= sd
  return out
}

/** Frames of `counts` mean electrons per pixel, contrast `contrast`, moved along `motion`. */
export function syntheticMovie(opts: {width: number; height: number; motion: [number, number][]; counts: number; contrast: number; seed: number}): SyntheticMovie {
  const {width, height, motion} = opts
  const base = specimen(width, height, opts.seed)
  const fft = realFft2D(width, height)
  const spectrum = fft.forward(base)
  const rand = mulberry32(opts.seed + 1)
  const frames = motion.map(([dx, dy]) => {
    const s = spectrum.slice()
    fourierShift(s, width, height, dx, dy)
    const img = fft.inverse(s)
    for (let i = 0; i < img.length; i++) img[i] = poisson(Math.max(0, opts.counts * (1 + opts.contrast * img[i])), rand)
    return img
  })
  return {width, height, frames, motion}
}

/** A drift that slows down (beam-induced motion is fastest at the start), frame 0 at the origin. */
export function decayingDrift(frames: number, total: [number, number], jitter: number, seed: number): [number, number][] {
  const rand = mulberry32(seed)
  const out: [number, number][] = []
  for (let f = 0; f < frames; f++) {
    const t = 1 - Math.exp(-f / (frames / 3))
    const norm = 1 - Math.exp(-(frames - 1) / (frames / 3))
    const jx = f === 0 ? 0 : jitter * gaussian(rand)
    const jy = f === 0 ? 0 : jitter * gaussian(rand)
    out.push([(total[0] * t) / norm + jx, (total[1] * t) / norm + jy])
  }
  return out
}

/**
 * Frames of a specimen deformed by a smooth field as well as moved: frame f shows the specimen
 * displaced by global[f] + local(x, y, f) (px), sampled bilinearly (the specimen is smooth).
 */
export function locallyMovingMovie(opts: {
  width: number
  height: number
  global: [number, number][]
  local: (x: number, y: number, frame: number) => [number, number]
  counts: number
  contrast: number
  seed: number
}): SyntheticMovie {
  const {width: w, height: h} = opts
  const base = specimen(w, h, opts.seed)
  const rand = mulberry32(opts.seed + 1)
  const sample = (x: number, y: number) => {
    const fx = ((x % w) + w) % w
    const fy = ((y % h) + h) % h
    const x0 = Math.floor(fx), y0 = Math.floor(fy)
    const x1 = (x0 + 1) % w, y1 = (y0 + 1) % h
    const tx = fx - x0, ty = fy - y0
    const top = base[y0 * w + x0] * (1 - tx) + base[y0 * w + x1] * tx
    const bottom = base[y1 * w + x0] * (1 - tx) + base[y1 * w + x1] * tx
    return top * (1 - ty) + bottom * ty
  }
  const frames = opts.global.map(([gx, gy], f) => {
    const img = new Float32Array(w * h)
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [lx, ly] = opts.local(x, y, f)
        img[y * w + x] = poisson(Math.max(0, opts.counts * (1 + opts.contrast * sample(x - gx - lx, y - gy - ly))), rand)
      }
    }
    return img
  })
  return {width: w, height: h, frames, motion: opts.global}
}
