// The agents' token: random, stored readable by its owner only, compared in constant time.
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import {readFile, writeFile} from 'node:fs/promises'
import {ProjectError} from './errors.js'

export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

export async function writeTokenFile(file: string, token: string): Promise<void> {
  await writeFile(file, token + '\n', {mode: 0o600, flag: 'wx'})
}

export async function readTokenFile(file: string): Promise<string> {
  try {
    return (await readFile(file, 'utf8')).trim()
  } catch (error) {
    throw new ProjectError(file, `cannot read the agent token: ${(error as Error).message}`)
  }
}

/** Constant-time comparison that does not leak the length either (both sides hashed first). */
export function tokensEqual(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest()
  return timingSafeEqual(digest(given), digest(expected)) && given.length === expected.length
}
