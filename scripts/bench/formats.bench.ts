// Movie I/O figures: a 4096 x 4096 x 40 8-bit LZW TIFF (counting-mode camera movie) written and
// read frame by frame by core/formats, against the image-js `tiff` decoder on the same pages, plus
// MRC float32 read throughput. Run: npm run bench -- formats
import {mkdtemp, readFile, rm, stat} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {decode as referenceDecode} from 'tiff'
import {openMrc} from '../../core/formats/mrc-read.js'
import {writeMrc} from '../../core/formats/mrc-write.js'
import {openTiff, writeTiffMovie} from '../../core/formats/tiff.js'

const SIZE = 4096
const FRAMES = 40
const PEER_PAGES = 4

/** Counting-mode frame: about 1 electron per pixel, values 0..4 (cheap LCG, not a true Poisson). */
function countingFrame(seed: number): Float32Array {
  const frame = new Float32Array(SIZE * SIZE)
  let s = seed >>> 0
  for (let i = 0; i < frame.length; i++) {
    s = (s * 1664525 + 1013904223) >>> 0
    const r = s / 2 ** 32
    frame[i] = r < 0.37 ? 0 : r < 0.74 ? 1 : r < 0.92 ? 2 : r < 0.98 ? 3 : 4
  }
  return frame
}

/** Wall and CPU (user + system) time: on a shared machine the CPU figure is the steadier one. */
async function timed<T>(run: () => Promise<T>): Promise<{ms: number; cpuMs: number; value: T}> {
  const start = performance.now()
  const cpu = process.cpuUsage()
  const value = await run()
  const used = process.cpuUsage(cpu)
  return {ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000, value}
}

const dir = await mkdtemp(join(tmpdir(), 'emstream-bench-formats-'))
try {
  // Four distinct frames reused ten times each keep the generator's memory at 256 MB.
  const distinct = [1, 2, 3, 4].map(countingFrame)
  const frames = Array.from({length: FRAMES}, (_, i) => distinct[i % distinct.length])
  const tiffPath = join(dir, 'movie.tif')
  const write = await timed(() => writeTiffMovie(tiffPath, frames, {width: SIZE, height: SIZE, bitsPerSample: 8, compression: 'lzw'}))
  const tiffBytes = (await stat(tiffPath)).size
  console.log(`TIFF LZW write ${SIZE}x${SIZE}x${FRAMES}: ${(write.ms / 1000).toFixed(2)} s, ${(tiffBytes / 2 ** 20).toFixed(1)} MiB (${(write.ms / FRAMES).toFixed(0)} ms/frame wall, ${(write.cpuMs / FRAMES).toFixed(0)} ms/frame CPU)`)

  const ours = await timed(async () => {
    const reader = await openTiff(tiffPath)
    let sum = 0
    for (let i = 0; i < reader.frameCount; i++) sum += (await reader.readFrame(i))[12345]
    await reader.close()
    return sum
  })
  console.log(`TIFF LZW read, ours (frame by frame): ${(ours.ms / 1000).toFixed(2)} s for ${FRAMES} frames, ${(ours.ms / FRAMES).toFixed(0)} ms/frame wall, ${(ours.cpuMs / FRAMES).toFixed(0)} ms/frame CPU, RSS ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB`)

  const whole = await readFile(tiffPath)
  const peer = await timed(async () => referenceDecode(whole, {pages: Array.from({length: PEER_PAGES}, (_, i) => i)}))
  const peerPerFrame = peer.cpuMs / PEER_PAGES
  console.log(`TIFF LZW read, image-js tiff 7.1.3 (whole file in memory, ${PEER_PAGES} pages): ${(peer.ms / PEER_PAGES).toFixed(0)} ms/frame wall, ${peerPerFrame.toFixed(0)} ms/frame CPU`)
  console.log(`ratio image-js / ours, CPU per frame: ${(peerPerFrame / (ours.cpuMs / FRAMES)).toFixed(2)}x`)

  const mrcPath = join(dir, 'movie.mrc')
  await writeMrc(mrcPath, frames.slice(0, 10), {width: SIZE, height: SIZE, mode: 2})
  const mrc = await timed(async () => {
    const reader = await openMrc(mrcPath)
    for (let i = 0; i < reader.depth; i++) await reader.readSection(i)
    await reader.close()
  })
  const mrcMiB = (10 * SIZE * SIZE * 4) / 2 ** 20
  console.log(`MRC float32 read (10 frames, ${mrcMiB.toFixed(0)} MiB): ${(mrc.ms / 1000).toFixed(2)} s, ${(mrcMiB / (mrc.ms / 1000)).toFixed(0)} MiB/s wall, ${(mrc.cpuMs / 10).toFixed(0)} ms/frame CPU`)
} finally {
  await rm(dir, {recursive: true, force: true})
}
