/**
 * Runs the main function of a devtools command: its answer is the exit code; an error ends the
 * command with exit code 1 and one `error:` line on stderr, never a stack trace.
 */
export async function runCommand(main: (argv: string[]) => Promise<number>): Promise<void> {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
