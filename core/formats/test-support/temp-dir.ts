// Per-test-file scratch directory, removed after the file's tests.
import {mkdtemp, rm} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll} from 'vitest'

export function useTempDir(prefix: string): (name: string) => string {
  let dir = ''
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), `emstream-${prefix}-`))
  })
  afterAll(async () => {
    await rm(dir, {recursive: true, force: true})
  })
  return (name) => join(dir, name)
}

/** A deterministic pseudo-random generator (tests must not depend on Math.random). */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}
