/**
 * Errors whose message is already fit for a failed step: one line that says what is wrong and, where
 * there is one, the fix. `runAction` prints these as they are; anything else is a bug and also gets
 * its stack in the debug log.
 */
export class ActionError extends Error {
  override readonly name: string = 'ActionError';
}

/** An input that cannot be used as given. Raised before anything is built, pushed or deployed. */
export class InputError extends ActionError {
  override readonly name = 'InputError';
  constructor(
    readonly input: string,
    detail: string,
  ) {
    super(`input '${input}': ${detail}`);
  }
}

/** A required command-line tool is not installed. */
export class MissingToolError extends ActionError {
  override readonly name = 'MissingToolError';
  constructor(
    readonly tool: string,
    howToGet: string,
  ) {
    super(`${tool} was not found on PATH. ${howToGet}`);
  }
}
