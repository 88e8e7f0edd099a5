/** A wizard answer that cannot be used; the message names the question. */
export class WizardError extends Error {
  override readonly name = 'WizardError'
}
