// Faults a watcher must survive, on request: which movies get which fault (deterministic per
// seed), and what each does to the bytes on disk.
import type {Rng} from './rng.js'

export const FAULT_KINDS = ['truncated', 'unfinished', 'zero-byte', 'corrupt-header', 'duplicate', 'stray'] as const
export type FaultKind = (typeof FAULT_KINDS)[number]

export interface FaultRequest {
  kind: FaultKind
  count: number
}

/** What the truth's `bad` says for each fault. */
export const FAULT_REASONS: Record<FaultKind, string> = {
  truncated: 'truncated file',
  unfinished: 'file never finished',
  'zero-byte': 'zero-byte file',
  'corrupt-header': 'corrupt header',
  duplicate: 'duplicate name',
  stray: 'stray non-movie file',
}

/** Parses "truncated,stray:2" (NAME or NAME:COUNT, comma-separated). */
export function parseFaults(text: string): FaultRequest[] {
  if (text.trim() === '') return []
  return text.split(',').map((item) => {
    const [name, countText] = item.trim().split(':')
    if (!(FAULT_KINDS as readonly string[]).includes(name)) throw new RangeError(`unknown fault "${name}" (known: ${FAULT_KINDS.join(', ')})`)
    const count = countText === undefined ? 1 : Number(countText)
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`fault count for "${name}" must be a positive integer, got "${countText}"`)
    return {kind: name as FaultKind, count}
  })
}

/**
 * Assigns each requested fault to a distinct movie index in [1, movies) (movie 0 is always a
 * good one, so a duplicate has something to duplicate). Returns index -> fault.
 */
export function planFaults(requests: FaultRequest[], movies: number, rng: Rng): Map<number, FaultKind> {
  const wanted = requests.flatMap((r) => Array<FaultKind>(r.count).fill(r.kind))
  if (wanted.length > movies - 1) throw new RangeError(`${wanted.length} faults need at least ${wanted.length + 1} movies, got ${movies}`)
  const slots = Array.from({length: movies - 1}, (_, i) => i + 1)
  for (let i = slots.length - 1; i > 0; i--) {
    const j = rng.int(i + 1)
    ;[slots[i], slots[j]] = [slots[j], slots[i]]
  }
  return new Map(wanted.map((kind, i) => [slots[i], kind]))
}

/** Bytes actually written for a truncated file: 40-90% of the whole, never a header-only file. */
export function truncatedLength(total: number, rng: Rng): number {
  return Math.max(1100, Math.floor(total * rng.uniform(0.4, 0.9)))
}

/**
 * A copy of the file with its header garbled where readers look first: MRC NX/NY/MODE and
 * the MAP stamp; TIFF/EER byte-order mark and first-IFD offset.
 */
export function corruptHeader(bytes: Uint8Array, rng: Rng): Uint8Array {
  const out = bytes.slice()
  const garble = (from: number, to: number) => {
    for (let i = from; i < Math.min(to, out.length); i++) out[i] = rng.int(256)
  }
  const tiff = (out[0] === 0x49 && out[1] === 0x49) || (out[0] === 0x4d && out[1] === 0x4d)
  if (tiff) {
    garble(0, 8)
  } else {
    garble(0, 16)
    garble(208, 212)
  }
  return out
}
