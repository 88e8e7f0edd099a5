// Simulator speed and memory: one 4096x4096 x 40-frame mode-1 MRC movie along the CLI's path
// (prepare the specimen image, then count each frame into one of two reused section buffers
// and write it while the next is counted; the WebAssembly counting kernel sums the header
// statistics row by row), targets <= 10 s on one core and peak memory <= 2x the movie.
// Peers, measured in the same run: one copy of the movie's bytes in memory (memory bandwidth),
// and the kernel writing the same number of bytes from one reused buffer, like dd (what the
// file system costs on this machine: on a VM, fresh page-cache pages can cost far more than the
// copy). The peer file is written while the movie's file still exists, so neither reuses the
// other's freed pages. CPU seconds are printed beside wall seconds: on a shared machine wall
// time includes waiting for a core, CPU time does not; CPU time covers the libuv thread that
// writes. Env: SIM_BENCH_SIZE, SIM_BENCH_FRAMES (smaller runs), SIM_BENCH_DIR (where to write).
import {readFileSync} from 'node:fs'
import {mkdtemp, open, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {writeAll} from '../../core/formats/file-range.js'
import type {MrcStatistics} from '../../core/formats/mrc-write.js'
import {countedMrcLength, writeCountedMrc} from '../simulator/counted-mrc-write.js'
import {sensitivityOf, type CountFrame} from '../simulator/exposure.js'
import {drawGainReference} from '../simulator/gain.js'
import {prepareMovie, type PreparedMovie} from '../simulator/movie.js'
import {createRng} from '../simulator/rng.js'
import {fixedMovieOptions} from '../simulator/test-support.js'

const width = Number(process.env.SIM_BENCH_SIZE ?? 4096)
const height = width
const frames = Number(process.env.SIM_BENCH_FRAMES ?? 40)
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2)

interface Timing {
  wall: number
  cpu: number
}

const clock = (): Timing => {
  const c = process.cpuUsage()
  return {wall: performance.now() / 1000, cpu: (c.user + c.system) / 1e6}
}
const since = (t0: Timing): Timing => {
  const t = clock()
  return {wall: t.wall - t0.wall, cpu: t.cpu - t0.cpu}
}
const add = (a: Timing, b: Timing): Timing => ({wall: a.wall + b.wall, cpu: a.cpu + b.cpu})

async function timed<T>(f: () => T | Promise<T>): Promise<[T, Timing]> {
  const t0 = clock()
  const value = await f()
  return [value, since(t0)]
}

/** CPU seconds of the calling (main) thread from Linux's /proc (USER_HZ = 100), or NaN elsewhere. */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

const show = (t: Timing) => `${t.wall.toFixed(2)} s wall / ${t.cpu.toFixed(2)} s CPU`
const perPixelFrame = (seconds: number) => `${((seconds * 1e9) / (width * height * frames)).toFixed(1)} ns`

/** The kernel writing `bytes` from one reused 32 MiB buffer (no user-space work). */
async function kernelWrite(path: string, bytes: number): Promise<void> {
  const block = new Uint8Array(Math.min(bytes, 32 * 2 ** 20)).fill(1)
  const handle = await open(path, 'w')
  try {
    for (let done = 0; done < bytes; done += block.length) await writeAll(handle, block.subarray(0, Math.min(block.length, bytes - done)))
  } finally {
    await handle.close()
  }
}

// The camera's gain reference is drawn once per session, not per movie, and so is its
// reciprocal, the counting sensitivity (cached per camera): both excluded from the total.
const [gain, gainTime] = await timed(() => {
  const camera = drawGainReference(createRng(1, 'camera'), width, height)
  sensitivityOf(camera)
  return camera
})
const options = fixedMovieOptions({gain, width, height, frames, movie: 'bench.mrc', pixelSize: 1.0, dosePerFrame: 1.0, particleDiameter: 150, coverage: 0.2, drift: {fastAmplitude: 8, fastFrames: 3, slowSpeed: 0.1, jitter: 0.05, localAmplitude: 1}})
const [movie, prepareTime] = await timed(() => prepareMovie(options))

// Counting (the main thread, inside frame()) is timed by wall clock: process CPU time during it
// also covers the previous frame's write on the libuv thread. The main thread's own CPU time
// over the whole count + write phase splits that phase between counting and writing.
let countWall = 0
const timedMovie: PreparedMovie = {
  ...movie,
  frame: <T extends CountFrame>(i: number, out?: T, statistics?: MrcStatistics) => {
    const t0 = performance.now()
    const counts = movie.frame(i, out as T, statistics)
    countWall += (performance.now() - t0) / 1000
    return counts
  },
}
const dir = await mkdtemp(join(process.env.SIM_BENCH_DIR ?? tmpdir(), 'emstream-sim-bench-'))
const fileBytes = countedMrcLength(movie, 1)
let peerWrite: Timing
let countWriteTime: Timing
let mainCpu = NaN
try {
  const main0 = mainThreadCpu()
  ;[, countWriteTime] = await timed(() => writeCountedMrc(join(dir, 'bench.mrc'), timedMovie, 1, {duration: 0}))
  mainCpu = mainThreadCpu() - main0
  ;[, peerWrite] = await timed(() => kernelWrite(join(dir, 'peer.bin'), fileBytes))
} finally {
  await rm(dir, {recursive: true, force: true})
}
// One reused buffer: the peer must not double the peak memory it is compared against.
const [, peerCopy] = await timed(() => {
  const section = width * height * 2
  const from = new Uint8Array(section).fill(1)
  const to = new Uint8Array(section)
  for (let done = 0; done < fileBytes; done += section) to.set(from)
  return to[0]
})

const peakRss = process.resourceUsage().maxRSS * 1024
const total = add(prepareTime, countWriteTime)
console.log(`gain reference and sensitivity (once per session, not in the total): ${show(gainTime)}`)
console.log(`movie ${width}x${height}x${frames} mode 1 (${gib(fileBytes)} GiB): specimen + imaging ${show(prepareTime)}; count + write ${show(countWriteTime)}: main thread (the counting kernel and its row loop, statistics included) ${mainCpu.toFixed(2)} s CPU (${perPixelFrame(mainCpu)} CPU per pixel-frame; ${countWall.toFixed(2)} s wall inside frame()), other threads (the direct writes) ${(countWriteTime.cpu - mainCpu).toFixed(2)} s CPU`)
console.log(`total ${show(total)} (target <= 10 s on one core)`)
console.log(`peer: copy the file's bytes once in memory ${show(peerCopy)} -> simulator / copy = ${(total.cpu / Math.max(peerCopy.cpu, 1e-3)).toFixed(0)}x CPU`)
console.log(`peer: the same bytes written through the page cache (dd-like, one buffer) ${show(peerWrite)}, against ${(countWriteTime.cpu - mainCpu).toFixed(2)} s CPU for the simulator's direct writes`)
console.log(`peak RSS ${gib(peakRss)} GiB: ${(peakRss / fileBytes).toFixed(2)}x the mode-1 movie file (target <= 2x)`)
