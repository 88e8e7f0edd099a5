// A file written front to back from two reused staging areas, through O_DIRECT where the file
// system allows it. Why direct: the bytes go from our buffer to the disk without filling the
// page cache, which costs the writer almost no CPU (a 1.25 GiB movie through the page cache
// cost 5-10 s of kernel CPU on our VMs, where fresh pages are expensive, against 0.1 s direct),
// and a processing machine never has a camera's files in its page cache either.
// O_DIRECT needs block-aligned memory, file offsets and lengths: the areas live in a
// WebAssembly.Memory (page-aligned, unlike ordinary ArrayBuffers), whole blocks go out directly
// and the unaligned rest is carried to the head of the other area; the final partial block and
// any rewrite (the MRC header) go through an ordinary handle. Where O_DIRECT is refused, every
// write goes through the ordinary handle instead (block size 1, no carry).
import {constants} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'

/** Alignment O_DIRECT needs on every file system we meet (logical blocks of 512 or 4096 bytes). */
const DIRECT_BLOCK = 4096
const WASM_PAGE = 65536

/** The one WebAssembly API used here (the project's lib settings declare no WebAssembly). */
declare const WebAssembly: {Memory: new (descriptor: {initial: number}) => {buffer: ArrayBuffer}}

/** Staged bytes ready to be written: whole blocks, starting with any carried head. */
export interface SealedRegion {
  /** Stream position of the region's first byte. */
  position: number
  bytes: Uint8Array
}

export class StagedFile {
  private areas: Uint8Array[] = []
  private area = 0
  /** Bytes at the head of the current area, not yet on disk, that precede the next stage. */
  private carry = 0
  /** Stream position of the current area's first byte. */
  private areaPosition = 0

  private constructor(
    /** Ordinary handle: partial blocks, rewrites, and everything when O_DIRECT is refused. */
    readonly handle: FileHandle,
    private direct: FileHandle | undefined,
    private readonly capacity: number,
  ) {}

  /**
   * Opens (truncates) `path`; `capacity` is the most bytes one `stage` call will ask for.
   * `tryDirect` false writes through the page cache only.
   */
  static async create(path: string, capacity: number, tryDirect = true): Promise<StagedFile> {
    const handle = await open(path, 'w')
    let direct: FileHandle | undefined
    try {
      if (tryDirect) direct = await open(path, constants.O_WRONLY | constants.O_DIRECT)
    } catch {
      direct = undefined
    }
    return new StagedFile(handle, direct, capacity)
  }

  /** The next `length` bytes of the file, for the caller to fill before `seal`. */
  stage(length: number): Uint8Array {
    if (length > this.capacity) throw new RangeError(`staged write of ${length} bytes exceeds the ${this.capacity}-byte staging area`)
    if (this.areas.length === 0) this.areas = allocateAreas(DIRECT_BLOCK + this.capacity)
    return this.areas[this.area].subarray(this.carry, this.carry + length)
  }

  /**
   * Ends the stage of `length` bytes: returns the region to write (whole blocks) and moves the
   * unaligned rest to the other area, where the next stage continues. Synchronous, so the next
   * stage can be filled while this region's writes are in flight.
   */
  seal(length: number): SealedRegion {
    const filled = this.carry + length
    const whole = filled - (filled % this.alignment)
    const from = this.areas[this.area]
    const region = {position: this.areaPosition, bytes: from.subarray(0, whole)}
    this.area = 1 - this.area
    this.areas[this.area].set(from.subarray(whole, filled))
    this.carry = filled - whole
    this.areaPosition += whole
    return region
  }

  /**
   * Writes bytes [from, to) of a sealed region; `from` must be a multiple of `alignment`. Whole
   * blocks go out directly, a partial last block through the ordinary handle.
   */
  async write(region: SealedRegion, from: number, to: number): Promise<void> {
    const direct = this.direct ? to - ((to - from) % DIRECT_BLOCK) : from
    if (direct > from) await this.writeDirect(region.bytes.subarray(from, direct), region.position + from)
    if (to > direct) await writeAt(this.handle, region.bytes.subarray(direct, to), region.position + direct)
  }

  private async writeDirect(bytes: Uint8Array, position: number): Promise<void> {
    try {
      return await writeAt(this.direct!, bytes, position)
    } catch (e) {
      // Alignment this file system rejects: this and every later write go the ordinary way.
      if ((e as {code?: string}).code !== 'EINVAL') throw e
      await this.closeDirect()
      await writeAt(this.handle, bytes, position)
    }
  }

  /** Block size staged regions keep to (1 without O_DIRECT). */
  get alignment(): number {
    return this.direct ? DIRECT_BLOCK : 1
  }

  /** Writes the carried bytes (the file's last partial block), up to stream position `end`. */
  async flush(end: number): Promise<void> {
    const n = Math.min(this.carry, end - this.areaPosition)
    if (n > 0) await writeAt(this.handle, this.areas[this.area].subarray(0, n), this.areaPosition)
  }

  /** Closes the direct handle; the ordinary one stays open for the caller. */
  async closeDirect(): Promise<void> {
    await this.direct?.close()
    this.direct = undefined
  }
}

/** Two areas of `bytes` each, block-aligned in page-aligned WebAssembly memory. */
function allocateAreas(bytes: number): Uint8Array[] {
  const area = Math.ceil(bytes / DIRECT_BLOCK) * DIRECT_BLOCK
  const memory = new WebAssembly.Memory({initial: Math.ceil((2 * area) / WASM_PAGE)})
  return [new Uint8Array(memory.buffer, 0, area), new Uint8Array(memory.buffer, area, area)]
}

export async function writeAt(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  for (let done = 0; done < bytes.length; ) {
    const {bytesWritten} = await handle.write(bytes, done, bytes.length - done, position + done)
    done += bytesWritten
  }
}
