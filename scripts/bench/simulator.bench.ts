// Simulator speed and memory: one 4096x4096 x 40-frame mode-1 MRC movie along the CLI's path
// (prepare, count each frame into one scratch frame and encode it straight into its MRC
// section, write the parts), targets <= 10 s on one core and peak memory <= 2x the movie.
// Peer, measured in the same run: one copy of the movie's file bytes (memory bandwidth).
// CPU seconds are printed beside wall seconds: on a shared machine wall time includes waiting
// for a core, CPU time does not. Env: SIM_BENCH_SIZE, SIM_BENCH_FRAMES (smaller runs).
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {writeInChunks} from '../simulator/chunked-write.js'
import type {CountFrame} from '../simulator/exposure.js'
import {drawGainReference} from '../simulator/gain.js'
import {prepareMovie, type PreparedMovie} from '../simulator/movie.js'
import {createRng} from '../simulator/rng.js'
import {fixedMovieOptions} from '../simulator/test-support.js'
import {encodePreparedMovie} from '../simulator/write-movie.js'

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
const minus = (a: Timing, b: Timing): Timing => ({wall: a.wall - b.wall, cpu: a.cpu - b.cpu})

async function timed<T>(f: () => T | Promise<T>): Promise<[T, Timing]> {
  const t0 = clock()
  const value = await f()
  return [value, since(t0)]
}

const show = (t: Timing) => `${t.wall.toFixed(2)} s wall / ${t.cpu.toFixed(2)} s CPU`

// The camera's gain reference is drawn once per session, not per movie (excluded from the total).
const [gain, gainTime] = await timed(() => drawGainReference(createRng(1, 'camera'), width, height))
const options = fixedMovieOptions({gain, width, height, frames, movie: 'bench.mrc', pixelSize: 1.0, dosePerFrame: 1.0, particleDiameter: 150, coverage: 0.2, drift: {fastAmplitude: 8, fastFrames: 3, slowSpeed: 0.1, jitter: 0.05, localAmplitude: 1}})
const [movie, prepareTime] = await timed(() => prepareMovie(options))

// Counting time is taken inside each frame() call; the rest of encoding is the MRC conversion
// (mode 1: counts go straight into the int16 section, so only the statistics pass remains).
let countTime: Timing = {wall: 0, cpu: 0}
const timedMovie: PreparedMovie = {
  ...movie,
  frame: <T extends CountFrame>(i: number, out?: T) => {
    const t0 = clock()
    const counts = (out ? movie.frame(i, out) : movie.frame(i)) as T
    countTime = add(countTime, since(t0))
    return counts
  },
}
const [parts, encodeTime] = await timed(() => encodePreparedMovie(timedMovie, {format: 'mrc', mrcMode: 1}))
const convertTime = minus(encodeTime, countTime)
const dir = await mkdtemp(join(tmpdir(), 'emstream-sim-bench-'))
const [, writeTime] = await timed(() => writeInChunks(join(dir, 'bench.mrc'), parts, {duration: 0}))
await rm(dir, {recursive: true, force: true})
// One reused buffer: the peer must not double the peak memory it is compared against.
const [, peerTime] = await timed(() => {
  const copy = new Uint8Array(Math.max(...parts.map((p) => p.length)))
  for (const p of parts) copy.set(p)
  return copy[0]
})

const peakRss = process.resourceUsage().maxRSS * 1024
const fileBytes = parts.reduce((n, p) => n + p.length, 0)
const floatMovie = width * height * frames * 4
const total = add(add(prepareTime, encodeTime), writeTime)
const pixelFrames = width * height * frames
console.log(`gain reference (once per session, not in the total): ${show(gainTime)}`)
console.log(`movie ${width}x${height}x${frames}: specimen + imaging ${show(prepareTime)}; counting ${show(countTime)} (${((countTime.cpu * 1e9) / pixelFrames).toFixed(1)} ns CPU per pixel-frame); MRC mode-1 statistics + header ${show(convertTime)} (${((convertTime.cpu * 1e9) / pixelFrames).toFixed(1)} ns CPU per value); file write ${show(writeTime)}`)
console.log(`total ${show(total)} (target <= 10 s on one core); peer (copy the file's bytes once) ${show(peerTime)} -> simulator / peer = ${(total.cpu / Math.max(peerTime.cpu, 1e-3)).toFixed(0)}x CPU`)
console.log(`peak RSS ${gib(peakRss)} GiB: ${(peakRss / fileBytes).toFixed(2)}x the mode-1 movie file (${gib(fileBytes)} GiB; target <= 2x), ${(peakRss / floatMovie).toFixed(2)}x the movie as float32 frames (${gib(floatMovie)} GiB)`)
