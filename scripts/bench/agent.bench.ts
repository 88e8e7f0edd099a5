// Agent watcher figures: idle CPU while watching a folder of 10,000 finished movies (inotify and
// polling), against plain chokidar watching the same files (the peer); and latency from a movie's
// last byte to "ready", against chokidar's awaitWriteFinish (stability only, its default 2 s).
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {watch} from 'chokidar'
import {checkComplete} from '../../core/formats/completeness.js'
import {encodeMrc} from '../../core/formats/mrc-write.js'
import {MovieWatcher} from '../../agent/watch/watcher.js'

const MOVIES = Number(process.env.AGENT_BENCH_MOVIES ?? 10_000)
const IDLE_SECONDS = Number(process.env.AGENT_BENCH_IDLE_S ?? 10)

function tinyMovie(): Buffer {
  return encodeMrc([new Float32Array(16 * 16), new Float32Array(16 * 16)], {width: 16, height: 16, mode: 2, pixelSize: 1})
}

/** CPU time (ms per s of wall time, i.e. % of one core x 10) spent while nothing changes. */
async function idleCpuPercent(seconds: number): Promise<number> {
  const start = process.cpuUsage()
  const t0 = performance.now()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const used = process.cpuUsage(start)
  return ((used.user + used.system) / 1000 / (performance.now() - t0)) * 100
}

async function agentIdle(dir: string, usePolling: boolean, known: boolean): Promise<number> {
  let found = 0
  const watcher = new MovieWatcher({dir, pattern: '*.mrc', usePolling, pollIntervalMs: 2000, isKnown: () => known, checkComplete})
  const allFound = new Promise<void>((resolve) => {
    watcher.on('movie', () => ++found === MOVIES && resolve())
  })
  await watcher.start()
  if (!known) await allFound
  const cpu = await idleCpuPercent(IDLE_SECONDS)
  await watcher.close()
  return cpu
}

async function chokidarIdle(dir: string, usePolling: boolean): Promise<number> {
  const watcher = watch(dir, {usePolling, interval: 2000, binaryInterval: 2000})
  await new Promise<void>((resolve) => watcher.once('ready', () => resolve()))
  const cpu = await idleCpuPercent(IDLE_SECONDS)
  await watcher.close()
  return cpu
}

/** Milliseconds from the last byte written to the watcher's event, for a movie written in 8 chunks. */
async function latency(dir: string, which: 'agent' | 'awaitWriteFinish'): Promise<number> {
  const bytes = Buffer.from(encodeMrc(Array.from({length: 8}, () => new Float32Array(512 * 512)), {width: 512, height: 512, mode: 2, pixelSize: 1}))
  const path = join(dir, `${which}.mrc`)
  let lastByte = 0
  let close: () => Promise<void>
  const ready = new Promise<number>((resolve) => {
    if (which === 'agent') {
      const w = new MovieWatcher({dir, pattern: `${which}.mrc`, usePolling: false, pollIntervalMs: 100, isKnown: () => false, checkComplete})
      w.on('movie', () => resolve(performance.now() - lastByte))
      close = () => w.close()
      void w.start().then(() => write())
    } else {
      const w = watch(dir, {awaitWriteFinish: true, ignored: (p, s) => s?.isFile() === true && !p.endsWith(`${which}.mrc`), ignoreInitial: true})
      w.on('add', () => resolve(performance.now() - lastByte))
      close = () => w.close()
      w.once('ready', () => void write())
    }
  })
  async function write() {
    const handle = await open(path, 'w')
    const chunk = Math.ceil(bytes.length / 8)
    for (let off = 0; off < bytes.length; off += chunk) {
      await handle.write(bytes, off, Math.min(chunk, bytes.length - off), off)
      await new Promise((r) => setTimeout(r, 100))
    }
    lastByte = performance.now()
    await handle.close()
  }
  const ms = await ready
  await close!()
  return ms
}

const dir = mkdtempSync(join(tmpdir(), 'agent-bench-'))
try {
  const bytes = tinyMovie()
  for (let i = 0; i < MOVIES; i++) writeFileSync(join(dir, `movie_${String(i).padStart(5, '0')}.mrc`), bytes)
  console.log(`idle CPU over ${IDLE_SECONDS} s, folder of ${MOVIES} finished movies (% of one core):`)
  for (const usePolling of [false, true]) {
    const mode = usePolling ? 'polling 2 s' : 'inotify'
    const fresh = await agentIdle(dir, usePolling, false)
    const restarted = await agentIdle(dir, usePolling, true)
    const peer = await chokidarIdle(dir, usePolling)
    console.log(
      `  ${mode.padEnd(12)} agent (all found this run) ${fresh.toFixed(2)} %, agent (all known from state) ${restarted.toFixed(2)} %, ` +
        `plain chokidar ${peer.toFixed(2)} %  -> ratio agent/chokidar ${(fresh / Math.max(peer, 1e-3)).toFixed(3)}`,
    )
  }
  const latencyDir = mkdtempSync(join(tmpdir(), 'agent-bench-latency-'))
  const agentMs = await latency(latencyDir, 'agent')
  const peerMs = await latency(latencyDir, 'awaitWriteFinish')
  rmSync(latencyDir, {recursive: true, force: true})
  console.log(`last byte -> ready: agent ${agentMs.toFixed(0)} ms, chokidar awaitWriteFinish ${peerMs.toFixed(0)} ms (ratio ${(agentMs / peerMs).toFixed(3)})`)
} finally {
  rmSync(dir, {recursive: true, force: true})
}
