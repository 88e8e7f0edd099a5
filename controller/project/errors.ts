/** A project that cannot be created, opened or changed; names the file or project and the problem. */
export class ProjectError extends Error {
  override readonly name = 'ProjectError'
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(`${path}: ${problem}`)
  }
}
