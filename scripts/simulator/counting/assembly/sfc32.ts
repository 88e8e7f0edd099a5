// AssemblyScript (not type-checked by tsc: tsconfig.json excludes it), compiled by asc (../build.ts): u32, usize, v128 are its types.
// sfc32 (Chris Doty-Humphrey's small fast chaotic generator, 128-bit state, passes PractRand),
// the generator of ../../rng.ts, for one stream whose state is in memory (counting.ts steps four
// streams at once in the lanes of an i32x4, the same arithmetic lane by lane).

/** One step of the stream whose state (a, b, c, d as u32) is at `s`; returns 32 random bits. */
export function sfc32(s: usize): u32 {
  const a = load<u32>(s)
  const b = load<u32>(s, 4)
  const c = load<u32>(s, 8)
  const d = load<u32>(s, 12)
  const t = a + b + d
  store<u32>(s, b ^ (b >>> 9))
  store<u32>(s, c + (c << 3), 4)
  store<u32>(s, ((c << 21) | (c >>> 11)) + t, 8)
  store<u32>(s, d + 1, 12)
  return t
}
