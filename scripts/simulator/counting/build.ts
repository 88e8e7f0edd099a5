// The counting kernel's WebAssembly, compiled from assembly/ by AssemblyScript's asc (its version
// pinned by package-lock.json). kernel.wasm is committed beside its source, so running the
// simulator needs no compiler; build.test.ts checks that rebuilding gives the committed bytes.
// After editing assembly/: `npx tsx scripts/simulator/counting/build.ts` rewrites kernel.wasm.
import {writeFile} from 'node:fs/promises'
import {fileURLToPath, pathToFileURL} from 'node:url'
import asc from 'assemblyscript/asc'
import {KERNEL_WASM} from './instance.js'

const HERE = fileURLToPath(new URL('.', import.meta.url))

/**
 * Release build with SIMD, no runtime (the kernel allocates nothing: JS lays out its memory,
 * imported as env.memory) and no abort import; paths relative to this folder, so the bytes do
 * not depend on where the checkout is.
 */
const ASC_ARGUMENTS = ['assembly/counting.ts', '--baseDir', HERE, '--outFile', 'kernel.wasm', '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--use', 'abort=', '--enable', 'simd']

export class KernelBuildError extends Error {
  constructor(readonly diagnostics: string) {
    super(`asc could not compile scripts/simulator/counting/assembly/counting.ts:\n${diagnostics}`)
    this.name = 'KernelBuildError'
  }
}

/** The kernel's bytes as asc builds them from the committed source. */
export async function compileKernel(): Promise<Uint8Array> {
  let binary: Uint8Array | undefined
  let diagnostics = ''
  const {error} = await asc.main(ASC_ARGUMENTS, {
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents
    },
    stdout: {write: (text: string | Uint8Array) => void text},
    stderr: {write: (text: string | Uint8Array) => void (diagnostics += String(text))},
  } as Parameters<typeof asc.main>[1])
  if (error || !binary) throw new KernelBuildError(diagnostics || String(error ?? 'no binary emitted'))
  return binary
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const binary = await compileKernel()
  await writeFile(KERNEL_WASM, binary)
  console.log(`wrote ${KERNEL_WASM} (${binary.length} bytes)`)
}
