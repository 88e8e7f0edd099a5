// Bounded resources the steps hold while they run: CPU threads and GPU slots (device ids).
// The pipeline never hands out more than configured.

export interface ResourceRequest {
  cpu: number
  gpu: number
}

export interface Grant {
  cpu: number
  gpuIds: number[]
}

export class ResourcePool {
  private freeCpu: number
  private readonly freeGpus: number[]

  constructor(
    readonly cpuThreads: number,
    readonly gpuIds: number[],
  ) {
    if (!Number.isInteger(cpuThreads) || cpuThreads < 1) throw new Error(`cpu threads must be a positive integer, got ${cpuThreads}`)
    this.freeCpu = cpuThreads
    this.freeGpus = [...gpuIds]
  }

  /** A request larger than the whole pool is clamped to it, so it can still run (alone). */
  clamp(request: ResourceRequest): ResourceRequest {
    if (request.gpu > this.gpuIds.length) {
      throw new Error(`a step needs ${request.gpu} GPU(s) but the agent has ${this.gpuIds.length} (set --gpus)`)
    }
    return {cpu: Math.min(Math.max(1, request.cpu), this.cpuThreads), gpu: request.gpu}
  }

  fits(request: ResourceRequest): boolean {
    return request.cpu <= this.freeCpu && request.gpu <= this.freeGpus.length
  }

  take(request: ResourceRequest): Grant {
    if (!this.fits(request)) throw new Error('resource pool over-committed (scheduler bug)')
    this.freeCpu -= request.cpu
    return {cpu: request.cpu, gpuIds: this.freeGpus.splice(0, request.gpu)}
  }

  give(grant: Grant): void {
    this.freeCpu += grant.cpu
    this.freeGpus.push(...grant.gpuIds)
  }

  inUse(): {cpu: number; gpu: number} {
    return {cpu: this.cpuThreads - this.freeCpu, gpu: this.gpuIds.length - this.freeGpus.length}
  }
}
