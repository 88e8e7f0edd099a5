// Picking speed and accuracy on a 4096 x 4096 simulated micrograph (1.0 A/px, 150 A particles):
// pickParticles (MRC read + pick + coordinate STAR) on one core against relion_autopick --LoG
// (single process) on the same file in the same run, plus both pickers' F1 against the truth.
// Figures on a shared machine are pessimistic; the ratio is the comparable number.
import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {diameterRange, runRelionLog, scoreCase, simulatePickCase, writeCaseMicrograph, type PickCase} from '../../agent/steps/pick/accuracy-set.test-support.js'
import {defaultPickOptions, pickParticles} from '../../agent/steps/pick/index.js'
import {pickMicrograph} from '../../agent/steps/pick/pick-micrograph.js'
import {hasCommand} from '../../test/support/system-tools.js'

const RUNS = 3
/** relion_autopick --LoG takes tens of seconds here (its peak search rescans the map per pick): one run. */
const RELION_RUNS = 1
const benchCase: PickCase = {size: 4096, pixelSize: 1.0, diameter: 150, seed: 41}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function timed<T>(f: () => Promise<T>): Promise<{value: T; wall: number; cpu: number}> {
  const c0 = process.cpuUsage()
  const t0 = performance.now()
  const value = await f()
  const wall = (performance.now() - t0) / 1000
  const c = process.cpuUsage(c0)
  return {value, wall, cpu: (c.user + c.system) / 1e6}
}


const dir = mkdtempSync(join(tmpdir(), 'pick-bench-'))
try {
  console.log(`simulating a ${benchCase.size} x ${benchCase.size} micrograph (${benchCase.pixelSize} A/px, ${benchCase.diameter} A particles) ...`)
  const sim = simulatePickCase(benchCase)
  const mic = await writeCaseMicrograph(sim, dir)
  const range = diameterRange(benchCase)
  const options = {...defaultPickOptions, ...range}

  await pickParticles(mic, join(dir, 'ours'), options) // warm-up (JIT, FFT plans)
  const ours = []
  for (let i = 0; i < RUNS; i++) ours.push(await timed(() => pickParticles(mic, join(dir, 'ours'), options)))
  const kernel = []
  for (let i = 0; i < RUNS; i++) kernel.push(await timed(async () => pickMicrograph(sim.image, benchCase.pixelSize, options)))
  const oursScore = scoreCase(benchCase, ours[0].value.coordinates, sim.particles)
  const oursWall = median(ours.map((r) => r.wall))
  console.log(`ours  pickParticles: ${oursWall.toFixed(3)} s wall (median of ${RUNS}), ${median(ours.map((r) => r.cpu)).toFixed(3)} s CPU; kernel alone ${median(kernel.map((r) => r.wall)).toFixed(3)} s`)
  console.log(`ours  picks ${oursScore.truePositives + oursScore.falsePositives} of ${sim.particles.length} particles: F1 ${oursScore.f1.toFixed(3)} (precision ${oursScore.precision.toFixed(3)}, recall ${oursScore.recall.toFixed(3)})`)

  if (!hasCommand('relion_autopick')) {
    console.log('relion_autopick not installed: no peer figures')
  } else {
    const relion = []
    for (let i = 0; i < RELION_RUNS; i++) relion.push(await runRelionLog(mic, benchCase.pixelSize, range))
    const relionScore = scoreCase(benchCase, relion[0].coordinates, sim.particles)
    const relionWall = median(relion.map((r) => r.seconds))
    const relionCpu = relion.map((r) => r.cpuSeconds).filter((x): x is number => x !== undefined)
    console.log(`relion_autopick --LoG: ${relionWall.toFixed(3)} s wall (median of ${RELION_RUNS}, whole process)${relionCpu.length ? `, ${median(relionCpu).toFixed(3)} s CPU` : ''}`)
    console.log(`relion picks ${relionScore.truePositives + relionScore.falsePositives}: F1 ${relionScore.f1.toFixed(3)} (precision ${relionScore.precision.toFixed(3)}, recall ${relionScore.recall.toFixed(3)})`)
    console.log(`ratio ours / relion (wall): ${(oursWall / relionWall).toFixed(2)}`)
    if (relionCpu.length) console.log(`ratio ours / relion (CPU): ${(median(ours.map((r) => r.cpu)) / median(relionCpu)).toFixed(2)}`)
  }
} finally {
  rmSync(dir, {recursive: true, force: true})
}
