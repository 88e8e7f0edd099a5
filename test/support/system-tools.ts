// Tests that need a system program (RELION, mrcfile, rsync, chromium) skip with a one-line
// reason when it is missing, unless REQUIRE_SYSTEM_TOOLS=1 (CI), where they fail instead.
import {execFileSync} from 'node:child_process'
import {describe} from 'vitest'

export function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', 'command -v "$1"', 'sh', command], {stdio: 'ignore'})
    return true
  } catch {
    return false
  }
}

// Debian's python3-* packages live in /usr/bin/python3, which may not be the python3 on PATH
// (pyenv and the like): try the system interpreter first.
const PYTHONS = ['/usr/bin/python3', 'python3']

/** The first Python interpreter that can import `module`, or undefined. */
export function pythonWith(module: string): string | undefined {
  for (const python of PYTHONS) {
    try {
      execFileSync(python, ['-c', `import ${module}`], {stdio: 'ignore'})
      return python
    } catch {
      // try the next interpreter
    }
  }
  return undefined
}

export function hasPythonModule(module: string): boolean {
  return pythonWith(module) !== undefined
}

/**
 * Returns a reason to skip when a tool is missing, or undefined when all are present.
 * Throws under REQUIRE_SYSTEM_TOOLS=1 so CI cannot pass by skipping.
 */
export function missingTools(tools: {commands?: string[]; pythonModules?: string[]}): string | undefined {
  const missing = [
    ...(tools.commands ?? []).filter((c) => !hasCommand(c)),
    ...(tools.pythonModules ?? []).filter((m) => !hasPythonModule(m)).map((m) => `python3 module ${m}`),
  ]
  if (missing.length === 0) return undefined
  const reason = `needs ${missing.join(', ')} (installed by .ci/run)`
  if (process.env.REQUIRE_SYSTEM_TOOLS === '1') throw new Error(`REQUIRE_SYSTEM_TOOLS=1 but this test ${reason}`)
  return reason
}

/** describe() that skips with a one-line reason when a system tool is missing (fails in CI). */
export function describeWithTools(
  tools: {commands?: string[]; pythonModules?: string[]},
  name: string,
  body: () => void,
): void {
  const reason = missingTools(tools)
  if (reason) {
    console.warn(`skipped "${name}": ${reason}`)
    describe.skip(name, body)
  } else {
    describe(name, body)
  }
}
