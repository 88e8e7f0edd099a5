// The machine's NVIDIA GPUs as nvidia-smi lists them; none when nvidia-smi is missing or fails.
import {execa} from 'execa'

export interface GpuInfo {
  index: number
  name: string
  memoryMiB: number
  driver: string
}

/** Lines of `nvidia-smi --query-gpu=index,name,memory.total,driver_version --format=csv,noheader,nounits`. */
export function parseNvidiaSmi(csv: string): GpuInfo[] {
  return csv
    .split(/\r?\n/)
    .map((line) => line.split(',').map((w) => w.trim()))
    .filter((w) => w.length >= 4 && /^\d+$/.test(w[0]))
    .map(([index, name, memory, driver]) => ({index: Number(index), name, memoryMiB: Number(memory), driver}))
}

export async function listGpus(executable = 'nvidia-smi'): Promise<{gpus: GpuInfo[]; problem?: string}> {
  const r = await execa(executable, ['--query-gpu=index,name,memory.total,driver_version', '--format=csv,noheader,nounits'], {reject: false, timeout: 15_000})
  if ((r as {code?: string}).code === 'ENOENT') return {gpus: [], problem: 'nvidia-smi not found (no NVIDIA driver?)'}
  if (r.exitCode !== 0) return {gpus: [], problem: `nvidia-smi failed: ${String(r.stderr || r.stdout).trim().split('\n')[0]}`}
  return {gpus: parseNvidiaSmi(String(r.stdout))}
}
