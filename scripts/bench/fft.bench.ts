// 2D real FFT, forward + inverse on one core: realFft2D's default backend (PFFFT, WebAssembly
// SIMD, Bluestein for lengths with large primes), its pure-TypeScript backend, and a row-column
// 2D transform on fft.js (radix-4, powers of two only) as the peer, all measured in this run.
// Prints wall time (best of the repeats) and CPU time; on a shared machine wall time is
// pessimistic, CPU time less so.
import {availableParallelism} from 'node:os'
import FFT from 'fft.js'
import {realFft2D, spectrumLength, type FftBackend, type RealFft2D} from '../../core/numeric/fft.js'
import {halfWidth} from '../../core/numeric/half-complex.js'
import {WorkerPool, sharedFloat32, toShared} from '../../core/numeric/worker-pool.js'

interface Timing {
  wallMs: number
  cpuMs: number
}

/** The fft.js peer: real row transforms, then complex column transforms on gathered columns. */
class FftJs2D implements RealFft2D {
  private readonly rowFft: FFT
  private readonly columnFft: FFT
  private readonly rowIn: Float64Array
  private readonly rowOut: Float64Array
  private readonly columnIn: Float64Array
  private readonly columnOut: Float64Array

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.rowFft = new FFT(width)
    this.columnFft = new FFT(height)
    this.rowIn = new Float64Array(2 * width)
    this.rowOut = new Float64Array(2 * width)
    this.columnIn = new Float64Array(2 * height)
    this.columnOut = new Float64Array(2 * height)
  }

  forward(image: Float32Array, out = new Float32Array(spectrumLength(this.width, this.height))): Float32Array {
    const {width, height} = this
    const rowFloats = 2 * halfWidth(width)
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) this.rowIn[x] = image[y * width + x]
      this.rowFft.realTransform(this.rowOut, this.rowIn.subarray(0, width))
      for (let t = 0; t < rowFloats; t++) out[y * rowFloats + t] = this.rowOut[t]
    }
    this.columns(out, false)
    return out
  }

  inverse(spectrum: Float32Array, out = new Float32Array(this.width * this.height)): Float32Array {
    const {width, height} = this
    const rowFloats = 2 * halfWidth(width)
    this.columns(spectrum, true)
    for (let y = 0; y < height; y++) {
      for (let t = 0; t < rowFloats; t++) this.rowIn[t] = spectrum[y * rowFloats + t]
      this.rowFft.completeSpectrum(this.rowIn)
      this.rowFft.inverseTransform(this.rowOut, this.rowIn)
      for (let x = 0; x < width; x++) out[y * width + x] = this.rowOut[2 * x]
    }
    return out
  }

  private columns(spectrum: Float32Array, inverse: boolean): void {
    const rowFloats = 2 * halfWidth(this.width)
    for (let c = 0; c < rowFloats; c += 2) {
      for (let y = 0; y < this.height; y++) {
        this.columnIn[2 * y] = spectrum[y * rowFloats + c]
        this.columnIn[2 * y + 1] = spectrum[y * rowFloats + c + 1]
      }
      if (inverse) this.columnFft.inverseTransform(this.columnOut, this.columnIn)
      else this.columnFft.transform(this.columnOut, this.columnIn)
      for (let y = 0; y < this.height; y++) {
        spectrum[y * rowFloats + c] = this.columnOut[2 * y]
        spectrum[y * rowFloats + c + 1] = this.columnOut[2 * y + 1]
      }
    }
  }
}

function randomImage(n: number): Float32Array {
  let state = 12345
  return new Float32Array(n).map(() => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5)
}

/** Best wall and CPU time of forward + inverse over the repeats, after one warm-up. */
function time(fft: RealFft2D, image: Float32Array, repeats: number): Timing {
  const spectrum = new Float32Array(spectrumLength(fft.width, fft.height))
  const back = new Float32Array(image.length)
  fft.inverse(fft.forward(image, spectrum), back)
  let wallMs = Infinity
  let cpuMs = Infinity
  for (let r = 0; r < repeats; r++) {
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    fft.inverse(fft.forward(image, spectrum), back)
    wallMs = Math.min(wallMs, performance.now() - t0)
    const cpu = process.cpuUsage(cpu0)
    cpuMs = Math.min(cpuMs, (cpu.user + cpu.system) / 1000)
  }
  return {wallMs, cpuMs}
}

/** Largest |a - b| relative to the largest |b|: the backends must compute the same transform. */
function relativeDifference(a: Float32Array, b: Float32Array): number {
  let diff = 0, scale = 0
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]))
    scale = Math.max(scale, Math.abs(b[i]))
  }
  return diff / scale
}

const isPowerOfTwo = (n: number): boolean => (n & (n - 1)) === 0
const format = (t: Timing): string => `${t.wallMs.toFixed(0).padStart(6)} ms wall ${t.cpuMs.toFixed(0).padStart(6)} ms cpu`

const sizes: Array<[number, number, number]> = [
  [4096, 4096, 3],
  [5760, 4092, 2],
  [512, 512, 20],
]
const backends: FftBackend[] = ['pffft', 'js']

console.log('2D real FFT, forward + inverse, one thread (best of repeats)')
for (const [width, height, repeats] of sizes) {
  const image = randomImage(width * height)
  const peer = isPowerOfTwo(width) && isPowerOfTwo(height) ? new FftJs2D(width, height) : undefined
  const peerTiming = peer ? time(peer, image, repeats) : undefined
  if (peer && peerTiming) console.log(`${width}x${height} fft.js            ${format(peerTiming)}`)
  else console.log(`${width}x${height} fft.js            n/a (powers of two only)`)
  for (const backend of backends) {
    const fft = realFft2D(width, height, backend)
    const t = time(fft, image, repeats)
    let line = `${width}x${height} ${backend.padEnd(6)} ${backend === 'pffft' ? '(chosen)' : '        '} ${format(t)}`
    if (peer && peerTiming) {
      const agreement = relativeDifference(fft.forward(image), peer.forward(image))
      line += `  fft.js / ${backend} = ${(peerTiming.wallMs / t.wallMs).toFixed(2)}x wall, ${(peerTiming.cpuMs / t.cpuMs).toFixed(2)}x cpu (max rel diff ${agreement.toExponential(1)})`
    }
    console.log(line)
  }
}

// Frames through the worker pool (shared memory, one plan per worker) against one thread.
{
  const width = 4096, height = 4096, frames = 8
  const threads = availableParallelism()
  const inputs = Array.from({length: frames}, (_, f) => toShared(randomImage(width * height).map((v) => v + f)))
  const outputs = inputs.map(() => sharedFloat32(spectrumLength(width, height)))
  const pool = new WorkerPool({modules: [new URL('../../core/numeric/fft-tasks.ts', import.meta.url)], size: threads})
  const forwardAll = (): Promise<unknown[]> =>
    Promise.all(inputs.map((input, f) => pool.run('forwardFft', {width, height, input, output: outputs[f]})))
  await forwardAll() // starts the workers and builds their plans
  const t0 = performance.now()
  await forwardAll()
  const poolMs = performance.now() - t0
  await pool.close()
  const fft = realFft2D(width, height)
  const t1 = performance.now()
  for (let f = 0; f < frames; f++) fft.forward(inputs[f], outputs[f])
  const serialMs = performance.now() - t1
  console.log(
    `${frames} frames ${width}x${height} forward: one thread ${serialMs.toFixed(0)} ms, pool of ${threads} ${poolMs.toFixed(0)} ms (${(serialMs / poolMs).toFixed(2)}x)`,
  )
}
