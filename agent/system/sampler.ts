// Host load for the controller's system monitor: CPU (node-os-utils), memory and swap,
// free disk where the movies and the outputs live, and NVIDIA GPUs when nvidia-smi exists.
import {execFile} from 'node:child_process'
import {statfs} from 'node:fs/promises'
import {freemem, hostname, loadavg, totalmem} from 'node:os'
import {promisify} from 'node:util'
import type {SystemSample} from '../../core/protocol/events.js'

const run = promisify(execFile)

export interface SamplerOptions {
  /** Folders whose file systems' free space is reported (watch folder, output folder). */
  disks: string[]
  pipeline: () => {queued: number; running: number}
}

type OsUtils = InstanceType<typeof import('node-os-utils').OSUtils>

export class SystemSampler {
  private osUtils?: OsUtils
  private hasNvidiaSmi = true

  constructor(private readonly options: SamplerOptions) {}

  async sample(): Promise<SystemSample> {
    const {OSUtils} = await import('node-os-utils')
    this.osUtils ??= new OSUtils()
    const [cpu, memory, disks, gpus] = await Promise.all([
      this.osUtils.cpu.usage(),
      this.osUtils.memory.info(),
      this.diskUsage(),
      this.gpuUsage(),
    ])
    const [l1, l5, l15] = loadavg()
    return {
      kind: 'systemSample',
      host: hostname(),
      cpuPercent: cpu.success ? Math.max(0, cpu.data) : 0,
      loadAverage: [l1, l5, l15],
      memoryUsedBytes: memory.success ? memory.data.used.bytes : totalmem() - freemem(),
      memoryTotalBytes: totalmem(),
      swapUsedBytes: await swapUsed(),
      disks,
      gpus,
      pipeline: this.options.pipeline(),
    }
  }

  private async diskUsage(): Promise<SystemSample['disks']> {
    const disks: SystemSample['disks'] = []
    for (const path of new Set(this.options.disks)) {
      try {
        const s = await statfs(path)
        disks.push({path, freeBytes: s.bavail * s.bsize, totalBytes: s.blocks * s.bsize})
      } catch {
        // A folder not created yet has no disk to report.
      }
    }
    return disks
  }

  private async gpuUsage(): Promise<SystemSample['gpus']> {
    if (!this.hasNvidiaSmi) return []
    try {
      const {stdout} = await run('nvidia-smi', [
        '--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu',
        '--format=csv,noheader,nounits',
      ])
      return stdout
        .trim()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((line) => {
          const [index, name, util, used, total, temp] = line.split(',').map((f) => f.trim())
          const mib = 1024 * 1024
          return {
            index: Number(index),
            name,
            utilizationPercent: Number(util) || 0,
            memoryUsedBytes: (Number(used) || 0) * mib,
            memoryTotalBytes: (Number(total) || 0) * mib,
            temperatureC: Number(temp) || 0,
          }
        })
    } catch {
      this.hasNvidiaSmi = false
      return []
    }
  }
}

/** Linux /proc/meminfo SwapTotal - SwapFree (0 elsewhere). */
async function swapUsed(): Promise<number> {
  try {
    const {readFile} = await import('node:fs/promises')
    const text = await readFile('/proc/meminfo', 'utf8')
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0)
    return Math.max(0, kb('SwapTotal') - kb('SwapFree')) * 1024
  } catch {
    return 0
  }
}
