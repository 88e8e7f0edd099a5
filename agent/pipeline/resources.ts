// Bounded resources the steps hold while they run: CPU threads and GPU slots (device ids).
// The pipeline never hands out more than configured; concurrent runs get distinct GPU ids
// unless the pool lets several runs share one GPU (jobsPerGpu > 1).

export interface ResourceRequest {
  cpu: number
  gpu: number
  /** The GPU ids this step may be given (its workflow `gpus`); absent = any of the pool's. */
  gpuIds?: number[]
}

export interface Grant {
  cpu: number
  gpuIds: number[]
}

export class ResourcePool {
  private freeCpu: number
  /** Runs holding each GPU id now. */
  private readonly gpuLoad = new Map<number, number>()

  /** Runs that may hold one GPU id at once (1 = no sharing). */
  private jobsPerGpuNow = 1

  constructor(
    readonly cpuThreads: number,
    readonly gpuIds: number[],
    jobsPerGpu = 1,
  ) {
    if (!Number.isInteger(cpuThreads) || cpuThreads < 1) throw new Error(`cpu threads must be a positive integer, got ${cpuThreads}`)
    this.setJobsPerGpu(jobsPerGpu)
    this.freeCpu = cpuThreads
    for (const id of gpuIds) this.gpuLoad.set(id, 0)
  }

  get jobsPerGpu(): number {
    return this.jobsPerGpuNow
  }

  /**
   * Changes GPU sharing (a newly bound workflow's resources.jobsPerGpu). Safe while runs hold
   * GPUs: lowering it grants an id again only once its load is under the new limit.
   */
  setJobsPerGpu(jobsPerGpu: number): void {
    if (!Number.isInteger(jobsPerGpu) || jobsPerGpu < 1) throw new Error(`jobs per GPU must be a positive integer, got ${jobsPerGpu}`)
    this.jobsPerGpuNow = jobsPerGpu
  }

  /**
   * A request larger than the whole pool is clamped to it, so it can still run (alone). A request
   * for nothing stays so: a step run elsewhere (SLURM) holds no local thread.
   */
  clamp(request: ResourceRequest): ResourceRequest {
    const usable = this.usableIds(request)
    if (request.gpu > usable.length) {
      const which = request.gpuIds ? ` of its ids ${request.gpuIds.join(',')}` : ''
      throw new Error(`needs ${request.gpu} GPU(s)${which} but the agent has ${usable.length} of them (start the agent with --gpus)`)
    }
    if (request.cpu === 0 && request.gpu === 0) return request
    return {...request, cpu: Math.min(Math.max(1, request.cpu), this.cpuThreads)}
  }

  fits(request: ResourceRequest): boolean {
    return request.cpu <= this.freeCpu && request.gpu <= this.freeIds(request).length
  }

  take(request: ResourceRequest): Grant {
    if (!this.fits(request)) throw new Error('resource pool over-committed (scheduler bug)')
    this.freeCpu -= request.cpu
    const gpuIds = this.freeIds(request).slice(0, request.gpu)
    for (const id of gpuIds) this.gpuLoad.set(id, this.gpuLoad.get(id)! + 1)
    return {cpu: request.cpu, gpuIds}
  }

  give(grant: Grant): void {
    this.freeCpu += grant.cpu
    for (const id of grant.gpuIds) this.gpuLoad.set(id, this.gpuLoad.get(id)! - 1)
  }

  /** CPU threads and GPU slots (runs x ids) held now. */
  inUse(): {cpu: number; gpu: number} {
    let gpu = 0
    for (const load of this.gpuLoad.values()) gpu += load
    return {cpu: this.cpuThreads - this.freeCpu, gpu}
  }

  private usableIds(request: ResourceRequest): number[] {
    return request.gpuIds ? request.gpuIds.filter((id) => this.gpuLoad.has(id)) : this.gpuIds
  }

  /** Distinct ids with a free slot, least loaded first (so sharing spreads runs over GPUs). */
  private freeIds(request: ResourceRequest): number[] {
    return this.usableIds(request)
      .filter((id) => this.gpuLoad.get(id)! < this.jobsPerGpuNow)
      .sort((a, b) => this.gpuLoad.get(a)! - this.gpuLoad.get(b)!)
  }
}
