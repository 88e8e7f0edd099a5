// Files the report reads on an agent's word (previews, PSDs, pick STARs, micrograph headers): the
// paths come from agent events, so a hostile or confused agent could name /etc/passwd or
// ../../secret and have it published with the report. Only regular files inside the project's
// configured agent output folders are read, checked where they really are (symbolic links
// resolved, and the opened file itself checked again, so a link swapped in meanwhile is caught).
import {constants, type Stats} from 'node:fs'
import {open, readlink, realpath, type FileHandle} from 'node:fs/promises'
import {isAbsolute, sep} from 'node:path'

/** Larger files are not agent previews or STARs: refused rather than read into memory. */
export const MAX_AGENT_FILE_BYTES = 64 * 1024 * 1024

/** A path from an event that the report will not read, and why. */
export class RefusedPathError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`refused ${JSON.stringify(path)}: ${reason}`)
    this.name = 'RefusedPathError'
  }
}

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY

export class AgentFiles {
  private constructor(
    /** Real paths of the configured folders that exist. */
    private readonly roots: string[],
    private readonly configured: readonly string[],
  ) {}

  /** The folders as configured for the project (missing ones are kept out: nothing is inside them). */
  static async within(folders: readonly string[]): Promise<AgentFiles> {
    const roots = await Promise.all(folders.filter((f) => isAbsolute(f)).map((f) => realpath(f).catch(() => undefined)))
    return new AgentFiles(roots.filter((r): r is string => r !== undefined), folders)
  }

  /** The whole file, when `path` is a regular file inside the folders; else RefusedPathError. */
  async read(path: string): Promise<Buffer> {
    return this.withFile(path, (handle, stats) => {
      if (stats.size > MAX_AGENT_FILE_BYTES) throw new RefusedPathError(path, `${stats.size} bytes, more than the ${MAX_AGENT_FILE_BYTES} an agent preview or STAR file may have`)
      return handle.readFile()
    })
  }

  /** The first `bytes` bytes (fewer if the file is shorter), under the same checks as read(). */
  async head(path: string, bytes: number): Promise<Buffer> {
    return this.withFile(path, async (handle) => {
      const buffer = Buffer.alloc(bytes)
      const {bytesRead} = await handle.read(buffer, 0, bytes, 0)
      return buffer.subarray(0, bytesRead)
    })
  }

  private async withFile<T>(path: string, use: (handle: FileHandle, stats: Stats) => Promise<T>): Promise<T> {
    const real = await this.checked(path)
    const handle = await open(real, OPEN_FLAGS).catch((error: NodeJS.ErrnoException) => {
      throw new RefusedPathError(path, error.code === 'ELOOP' ? 'it became a symbolic link' : `cannot be opened (${error.code ?? error.message})`)
    })
    try {
      const stats = await handle.stat()
      if (!stats.isFile()) throw new RefusedPathError(path, 'not a regular file')
      // Where the open really landed (a folder on the way may have been swapped for a link since realpath).
      const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => real)
      if (!this.inside(opened)) throw new RefusedPathError(path, `opened ${opened}, outside ${this.describe()}`)
      return await use(handle, stats)
    } finally {
      await handle.close()
    }
  }

  /** The real path of `path`, when it names something inside the folders. */
  private async checked(path: string): Promise<string> {
    if (this.roots.length === 0) throw new RefusedPathError(path, `${this.describe()}: the report reads no agent files (controller create-project --agent-output DIR)`)
    if (path.includes('\0')) throw new RefusedPathError(path, 'contains a NUL character')
    if (!isAbsolute(path)) throw new RefusedPathError(path, 'not an absolute path')
    if (path.split(sep).includes('..')) throw new RefusedPathError(path, 'contains ".."')
    const real = await realpath(path).catch((error: NodeJS.ErrnoException) => {
      throw new RefusedPathError(path, error.code === 'ENOENT' ? 'no such file' : `cannot be resolved (${error.code ?? error.message})`)
    })
    if (!this.inside(real)) throw new RefusedPathError(path, `${real === path ? 'it is' : `it resolves to ${real}, which is`} outside ${this.describe()}`)
    return real
  }

  private inside(real: string): boolean {
    return this.roots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))
  }

  private describe(): string {
    return this.configured.length === 0 ? 'no agent output folder is configured for this project' : `the agent output folders (${this.configured.join(', ')})`
  }
}
