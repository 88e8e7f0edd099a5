// kernel.wasm is committed: it must be what the committed source compiles to.
import {readFile} from 'node:fs/promises'
import {expect, it} from 'vitest'
import {compileKernel} from './build.js'
import {KERNEL_WASM} from './instance.js'

it('rebuilding assembly/ with the pinned asc gives the committed kernel.wasm byte for byte', async () => {
  const rebuilt = await compileKernel()
  const committed = await readFile(KERNEL_WASM)
  // If this fails after editing assembly/: npx tsx scripts/simulator/counting/build.ts
  expect(Buffer.compare(Buffer.from(rebuilt), committed)).toBe(0)
})
