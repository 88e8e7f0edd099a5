// Simulator speed and memory: one 4096x4096 x 40-frame movie (targets: <= 10 s on one core,
// peak memory <= 2x the movie), split into specimen + imaging, counting, and MRC writing.
// Peer, measured in the same run: one pass that copies the movie's float32 frames (memory
// bandwidth). CPU seconds are printed beside wall seconds: on a shared machine wall time
// includes waiting for a core, CPU time does not.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {drawGainReference} from '../simulator/gain.js'
import {prepareMovie} from '../simulator/movie.js'
import {createRng} from '../simulator/rng.js'
import {fixedMovieOptions} from '../simulator/test-support.js'
import {writeMovie} from '../simulator/write-movie.js'

const width = Number(process.env.SIM_BENCH_SIZE ?? 4096)
const height = width
const frames = Number(process.env.SIM_BENCH_FRAMES ?? 40)
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2)

interface Timing {
  wall: number
  cpu: number
}

async function timed<T>(f: () => T | Promise<T>): Promise<[T, Timing]> {
  const w0 = performance.now()
  const c0 = process.cpuUsage()
  const value = await f()
  const c = process.cpuUsage(c0)
  return [value, {wall: (performance.now() - w0) / 1000, cpu: (c.user + c.system) / 1e6}]
}

const show = (t: Timing) => `${t.wall.toFixed(2)} s wall / ${t.cpu.toFixed(2)} s CPU`

// The camera's gain reference is drawn once per session, not per movie.
const [gain, gainTime] = await timed(() => drawGainReference(createRng(1, 'camera'), width, height))
const options = fixedMovieOptions({gain, width, height, frames, movie: 'bench.mrc', pixelSize: 1.0, dosePerFrame: 1.0, particleDiameter: 150, coverage: 0.2, drift: {fastAmplitude: 8, fastFrames: 3, slowSpeed: 0.1, jitter: 0.05, localAmplitude: 1}})
const [movie, prepareTime] = await timed(() => prepareMovie(options))
const [counted, countTime] = await timed(() => Array.from({length: frames}, (_, i) => movie.frame(i)))
const dir = await mkdtemp(join(tmpdir(), 'emstream-sim-bench-'))
const [, writeTime] = await timed(() => writeMovie(join(dir, 'bench.mrc'), {width, height, frames: counted, truth: movie.truth}, {format: 'mrc', mrcMode: 1}))
await rm(dir, {recursive: true, force: true})
const [, peerTime] = await timed(() => {
  const copy = new Float32Array(width * height)
  for (const f of counted) copy.set(f)
  return copy[0]
})

const peakRss = process.resourceUsage().maxRSS * 1024
const floatMovie = width * height * frames * 4
const fileBytes = 1024 + 768 * frames + width * height * frames * 2
const total = {wall: prepareTime.wall + countTime.wall + writeTime.wall, cpu: prepareTime.cpu + countTime.cpu + writeTime.cpu}
console.log(`gain reference (once per session): ${show(gainTime)}`)
console.log(`movie ${width}x${height}x${frames}: specimen + imaging ${show(prepareTime)}; counting ${show(countTime)} (${((countTime.cpu * 1e9) / (width * height * frames)).toFixed(1)} ns CPU per pixel-frame); MRC mode-1 write ${show(writeTime)}`)
console.log(`total ${show(total)} (target <= 10 s on one core); peer (copy the float32 frames once) ${show(peerTime)} -> simulator / peer = ${(total.cpu / Math.max(peerTime.cpu, 1e-3)).toFixed(0)}x CPU`)
console.log(`peak RSS ${gib(peakRss)} GiB: ${(peakRss / floatMovie).toFixed(2)}x the movie as float32 frames (${gib(floatMovie)} GiB; target <= 2x), ${(peakRss / fileBytes).toFixed(2)}x the mode-1 file (${gib(fileBytes)} GiB)`)
