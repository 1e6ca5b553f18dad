import * as core from '@actions/core';
import { ActionError } from './errors.js';

/**
 * Runs an action's `main` and turns any failure into a failed step with a clear one-line message.
 * Expected failures (`ActionError`) are shown as they are; anything else is a bug, so its stack
 * goes to the debug log for whoever reports it.
 */
export async function runAction(main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof ActionError) {
      core.setFailed(error.message);
    } else if (error instanceof Error) {
      core.debug(error.stack ?? String(error));
      core.setFailed(`unexpected error: ${error.message}`);
    } else {
      core.setFailed(`unexpected error: ${String(error)}`);
    }
  }
}

/** Sets every output of a flat record, stringifying booleans and numbers the way workflows read them. */
export function setOutputs(outputs: Record<string, string | number | boolean | undefined>): void {
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value === undefined ? '' : String(value));
}
