import {spawnSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {processAlive} from './process-alive.js'

describe('processAlive', () => {
  it('tells a live process from one that has exited', () => {
    expect(processAlive(process.pid)).toBe(true)
    // A child that ran and was reaped: its pid names no process now (pid reuse this fast is not a concern here).
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!
    expect(processAlive(gone)).toBe(false)
    expect(processAlive(2 ** 22 + 1)).toBe(false) // above Linux's largest pid_max
  })
})
