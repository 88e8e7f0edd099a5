// Simulator speed and memory: one 4096x4096 x 40-frame movie (targets: <= 10 s on one core,
// peak memory <= 2x the movie), split into specimen + imaging, counting, and MRC encoding;
// the peer is a plain pass that copies the movie's float32 frames once (memory bandwidth).
import {drawGainReference} from '../simulator/gain.js'
import {prepareMovie} from '../simulator/movie.js'
import {createRng} from '../simulator/rng.js'
import {fixedMovieOptions} from '../simulator/test-support.js'
import {encodeMovie} from '../simulator/write-movie.js'

const width = Number(process.env.SIM_BENCH_SIZE ?? 4096)
const height = width
const frames = Number(process.env.SIM_BENCH_FRAMES ?? 40)
const seconds = (t0: number) => (performance.now() - t0) / 1000
const gib = (bytes: number) => (bytes / 2 ** 30).toFixed(2)

// The camera's gain reference is drawn once per session, not per movie.
let t0 = performance.now()
const gain = drawGainReference(createRng(1, 'camera'), width, height)
const gainTime = seconds(t0)

const options = fixedMovieOptions({gain, width, height, frames, movie: 'bench.mrc', pixelSize: 1.0, dosePerFrame: 1.0, particleDiameter: 150, coverage: 0.2, drift: {fastAmplitude: 8, fastFrames: 3, slowSpeed: 0.1, jitter: 0.05, localAmplitude: 1}})

t0 = performance.now()
const movie = prepareMovie(options)
const prepareTime = seconds(t0)

t0 = performance.now()
const counted = Array.from({length: frames}, (_, i) => movie.frame(i))
const countTime = seconds(t0)

t0 = performance.now()
const bytes = encodeMovie({width, height, frames: counted, truth: movie.truth}, {format: 'mrc', mrcMode: 1})
const encodeTime = seconds(t0)

t0 = performance.now()
const copy = new Float32Array(width * height)
let checksum = 0
for (const f of counted) {
  copy.set(f)
  checksum += copy[(width * height) >> 1]
}
const peerTime = seconds(t0)

const peakRss = process.resourceUsage().maxRSS * 1024
const floatMovie = width * height * frames * 4
const total = prepareTime + countTime + encodeTime
console.log(`session gain reference (once per session) ${gainTime.toFixed(2)} s`)
console.log(`movie ${width}x${height}x${frames}: specimen+imaging ${prepareTime.toFixed(2)} s, counting ${countTime.toFixed(2)} s (${((countTime * 1e9) / (width * height * frames)).toFixed(1)} ns/pixel-frame), MRC mode-1 encode ${encodeTime.toFixed(2)} s`)
console.log(`total ${total.toFixed(2)} s (target <= 10 s); peer: copying the float32 frames once ${peerTime.toFixed(2)} s -> simulator/peer = ${(total / peerTime).toFixed(0)}x`)
console.log(`peak RSS ${gib(peakRss)} GiB; movie as float32 frames ${gib(floatMovie)} GiB -> ${(peakRss / floatMovie).toFixed(2)}x (target <= 2x); as the mode-1 file ${gib(bytes.length)} GiB -> ${(peakRss / bytes.length).toFixed(2)}x`)
if (checksum < 0) console.log('unreachable: keeps the peer loop alive')
