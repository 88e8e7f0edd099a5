// The counting kernel (kernel.wasm, built from assembly/ by build.ts) compiled once per process,
// instantiated once per movie with a memory of its own: the Poisson tables, the movie's intensity
// map and sensitivity, and the small buffers the row loop shares with JS. The kernel allocates
// nothing, so the memory never grows and the typed views on it stay valid.
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'
import {HOST_LITTLE_ENDIAN} from '../../../core/formats/file-range.js'

// The part of the WebAssembly JS API used here (Node has it; this project's lib types do not).
interface WasmMemory {
  readonly buffer: ArrayBuffer
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: {env: {memory: WasmMemory}}) => {exports: unknown}
  Memory: new (descriptor: {initial: number; maximum?: number}) => WasmMemory
}
const wasm = (globalThis as unknown as {WebAssembly: WasmApi}).WebAssembly

interface WasmGlobal {
  readonly value: number
}

interface KernelExports {
  HEAP_BASE: WasmGlobal
  STEP: WasmGlobal
  MAX_COUNT: WasmGlobal
  refine: WasmGlobal
  tableBytes(): number
  tablesAt(at: number): void
  configure(map: number, mapWidth: number, mapHeight: number, margin: number, sensitivity: number, width: number, segment: number, shiftX: number, shiftY: number, row: number, rowMeans: number, rowHalves: number, lanes: number, defectIndex: number, defectValue: number, defects: number, statistics: number): void
  beginFrame(electronsPerPixel: number, withStatistics: number): void
  countRow(y: number): void
  guideRow(lambda: number): number
  countFromHalf(cell: number, lambda: number, half: number): number
  poissonByInversion(lambda: number, u: number): number
}

/** The compiled kernel, committed beside its source (build.ts makes it). */
export const KERNEL_WASM = fileURLToPath(new URL('./kernel.wasm', import.meta.url))
const WASM_PAGE = 65536
let compiled: object | undefined

function kernelModule(): object {
  // Wasm memory is little-endian; the JS views on it (and MRC files) assume the host is too.
  if (!HOST_LITTLE_ENDIAN) throw new Error('the simulator\'s counting kernel needs a little-endian host')
  compiled ??= new wasm.Module(readFileSync(KERNEL_WASM))
  return compiled
}

/** Byte offsets, 16-byte aligned (v128 loads), handed out in order from `start`. */
class Layout {
  constructor(private end: number) {}
  take(bytes: number): number {
    const at = Math.ceil(this.end / 16) * 16
    this.end = at + bytes
    return at
  }
  get bytes(): number {
    return this.end
  }
}

/** An instance whose memory holds its tables and whatever `place` lays out after them. */
function instantiate<T>(place: (layout: Layout, step: number) => T): {kernel: KernelExports; memory: WasmMemory; placed: T} {
  const module = kernelModule()
  // Instantiated once to read the constants the layout needs (an instance costs little).
  const probe = new wasm.Instance(module, {env: {memory: new wasm.Memory({initial: 1})}}).exports as unknown as KernelExports
  const layout = new Layout(probe.HEAP_BASE.value)
  const tables = layout.take(probe.tableBytes())
  const placed = place(layout, probe.STEP.value)
  const pages = Math.ceil(layout.bytes / WASM_PAGE)
  const memory = new wasm.Memory({initial: pages, maximum: pages})
  const kernel = new wasm.Instance(module, {env: {memory}}).exports as unknown as KernelExports
  kernel.tablesAt(tables)
  return {kernel, memory, placed}
}

/** The Poisson part of the kernel alone (tests of the guide table and the inversion). */
export interface PoissonKernel {
  /** The count for a mean and 16 random bits, drawing from `refine` only for ambiguous guide cells. */
  countFromHalf(lambda: number, half: number): number
  poissonByInversion(lambda: number, u: number): number
  /** The refine stream's sfc32 state (a view on the kernel's memory). */
  refine: Uint32Array
  maxCount: number
}

export function poissonKernel(): PoissonKernel {
  const {kernel, memory} = instantiate(() => undefined)
  return {
    countFromHalf: (lambda, half) => kernel.countFromHalf(kernel.guideRow(lambda), lambda, half),
    poissonByInversion: (lambda, u) => kernel.poissonByInversion(lambda, u),
    refine: new Uint32Array(memory.buffer, kernel.refine.value, 4),
    maxCount: kernel.MAX_COUNT.value,
  }
}

export interface CountingGeometry {
  map: Float32Array
  mapWidth: number
  mapHeight: number
  margin: number
  sensitivity: Float32Array
  width: number
  /** Pixels per row segment sharing one shift. */
  segment: number
  /** Pixel indices of the hot and dead pixels, ascending. */
  defects: Uint32Array
}

/** One movie's kernel: call beginFrame, then per row fill shiftX/shiftY, countRow(y), read `row`. */
export interface CountingKernel {
  beginFrame(electronsPerPixel: number, withStatistics: boolean): void
  countRow(y: number): void
  /** Per row segment: the specimen shift (px) at its centre, for the next countRow. */
  shiftX: Float64Array
  shiftY: Float64Array
  /** The counted row (`width` values; the same bytes as signed or unsigned 16-bit values). */
  row: Uint16Array
  rowSigned: Int16Array
  /** This frame's value of each defect pixel (same order as `defects`). */
  defectValues: Uint32Array
  /** The four lanes' sfc32 state: word w of lane l at [w * 4 + l]. */
  lanes: Uint32Array
  refine: Uint32Array
  /** Sum, sum of squares, min and max of the rows counted since beginFrame (with statistics). */
  statistics(): {sum: number; sumSquares: number; min: number; max: number}
}

export function countingKernel(g: CountingGeometry): CountingKernel {
  const segments = Math.ceil(g.width / g.segment)
  const {kernel, memory, placed: at} = instantiate((layout, step) => {
    return {
      // Padded: the last step of a row reads and writes up to STEP - 1 pixels past it.
      map: layout.take((g.map.length + 2 * step) * 4),
      sensitivity: layout.take((g.sensitivity.length + 2 * step) * 4),
      shiftX: layout.take(segments * 8),
      shiftY: layout.take(segments * 8),
      row: layout.take((g.width + 2 * step) * 2),
      rowMeans: layout.take((g.width + 2 * step) * 4),
      rowHalves: layout.take((g.width + 2 * step) * 2),
      lanes: layout.take(64),
      defectIndex: layout.take(g.defects.length * 4),
      defectValue: layout.take(g.defects.length * 4),
      statistics: layout.take(24),
    }
  })
  const buffer = memory.buffer
  new Float32Array(buffer, at.map, g.map.length).set(g.map)
  new Float32Array(buffer, at.sensitivity, g.sensitivity.length).set(g.sensitivity)
  new Uint32Array(buffer, at.defectIndex, g.defects.length).set(g.defects)
  kernel.configure(at.map, g.mapWidth, g.mapHeight, g.margin, at.sensitivity, g.width, g.segment, at.shiftX, at.shiftY, at.row, at.rowMeans, at.rowHalves, at.lanes, at.defectIndex, at.defectValue, g.defects.length, at.statistics)
  const sums = new BigInt64Array(buffer, at.statistics, 2)
  const extremes = new Int32Array(buffer, at.statistics + 16, 2)
  return {
    beginFrame: (dose, withStatistics) => kernel.beginFrame(dose, withStatistics ? 1 : 0),
    countRow: (y) => kernel.countRow(y),
    shiftX: new Float64Array(buffer, at.shiftX, segments),
    shiftY: new Float64Array(buffer, at.shiftY, segments),
    row: new Uint16Array(buffer, at.row, g.width),
    rowSigned: new Int16Array(buffer, at.row, g.width),
    defectValues: new Uint32Array(buffer, at.defectValue, g.defects.length),
    lanes: new Uint32Array(buffer, at.lanes, 16),
    refine: new Uint32Array(buffer, kernel.refine.value, 4),
    statistics: () => ({sum: Number(sums[0]), sumSquares: Number(sums[1]), min: extremes[0], max: extremes[1]}),
  }
}
