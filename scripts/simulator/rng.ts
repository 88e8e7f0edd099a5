// Seeded pseudo-random numbers (sfc32: fast, 128-bit state, passes PractRand) so that a
// session is reproducible from --seed. One Rng per stream keeps streams independent.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number
  /** Integer in [0, n). */
  int(n: number): number
  /** Standard normal (Box-Muller). */
  normal(): number
  /** A child stream, independent of later draws from this one. */
  fork(label: string): Rng
  /** Raw 32-bit state words, for kernels that inline the generator in hot loops. */
  state(): Uint32Array
}

/** FNV-1a hash of a string, for deriving child seeds from labels. */
function hashLabel(label: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

export function createRng(seed: number, label = ''): Rng {
  const s = new Uint32Array(4)
  s[0] = seed >>> 0
  s[1] = Math.floor(seed / 2 ** 32) >>> 0
  s[2] = hashLabel(label)
  s[3] = 1
  for (let i = 0; i < 15; i++) sfc32(s)
  return wrap(s)
}

/** Advances the state and returns a 32-bit unsigned value. */
export function sfc32(s: Uint32Array): number {
  const t = (((s[0] + s[1]) >>> 0) + s[3]) >>> 0
  s[3] = (s[3] + 1) >>> 0
  s[0] = s[1] ^ (s[1] >>> 9)
  s[1] = (s[2] + (s[2] << 3)) >>> 0
  s[2] = ((s[2] << 21) | (s[2] >>> 11)) >>> 0
  s[2] = (s[2] + t) >>> 0
  return t
}

function wrap(s: Uint32Array): Rng {
  let spare: number | undefined
  const rng: Rng = {
    next: () => sfc32(s) / 4294967296,
    uniform: (lo, hi) => lo + (hi - lo) * (sfc32(s) / 4294967296),
    int: (n) => Math.floor((sfc32(s) / 4294967296) * n),
    normal: () => {
      if (spare !== undefined) {
        const v = spare
        spare = undefined
        return v
      }
      const u = 1 - sfc32(s) / 4294967296
      const v = sfc32(s) / 4294967296
      const r = Math.sqrt(-2 * Math.log(u))
      spare = r * Math.sin(2 * Math.PI * v)
      return r * Math.cos(2 * Math.PI * v)
    },
    fork: (label) => createRng(sfc32(s) + sfc32(s) * 2 ** 21, label),
    state: () => s,
  }
  return rng
}
