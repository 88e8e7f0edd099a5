// Small file systems for disk-full tests: a tmpfs of a given size mounted on a folder (needs
// root and a kernel that allows it), filled until it refuses a write, and emptied again.
import {execFileSync} from 'node:child_process'
import {mkdtempSync, rmdirSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** Why a tmpfs cannot be mounted here, or undefined when it can. Under REQUIRE_SYSTEM_TOOLS=1 as root, not being able to is an error. */
export function tmpfsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root'
  const probe = mkdtempSync(join(tmpdir(), 'emstream-mount-probe-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], {stdio: 'ignore'})
    execFileSync('umount', [probe])
    return undefined
  } catch {
    // CI promises root and tmpfs: a skip there would hide the test.
    if (process.env.REQUIRE_SYSTEM_TOOLS === '1') throw new Error('mount -t tmpfs is not permitted here (REQUIRE_SYSTEM_TOOLS=1)')
    return 'mount -t tmpfs is not permitted here'
  } finally {
    rmdirSync(probe)
  }
}

/** Mounts a tmpfs of `size` (e.g. '8m') on dir; returns the unmount. */
export function mountTmpfs(dir: string, size: string): () => void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])
  return () => execFileSync('umount', ['-l', dir])
}

/** Grows (or shrinks) the tmpfs mounted on dir to `size`, keeping its files. */
export function resizeTmpfs(dir: string, size: string): void {
  execFileSync('mount', ['-o', `remount,size=${size}`, dir])
}

/** Writes zeros to `file` until its file system refuses (ENOSPC): the disk is then full. */
export function fillDisk(file: string): void {
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${file}`, 'bs=64k'], {stdio: 'ignore'})
  } catch {
    // dd ends with "No space left on device": the point.
  }
}
