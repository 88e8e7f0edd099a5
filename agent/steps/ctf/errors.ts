/** A CTF option a user set to something the estimator cannot work with. */
export class CtfOptionsError extends Error {
  override readonly name = 'CtfOptionsError'
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`CTF option ${field}: ${problem}`)
  }
}

/** A micrograph the estimator cannot fit (too small, no pixel size, no rings at all). */
export class CtfEstimationError extends Error {
  override readonly name = 'CtfEstimationError'
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`)
  }
}
