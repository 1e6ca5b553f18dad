import { execa } from 'execa';
import { actInvocation } from './invocation.js';

/**
 * `npm run act -- <act arguments>`: the pinned act in host mode, offline, with the third-party actions
 * replaced by their stand-ins (invocation.ts; docs/act.md). Exits with act's exit code.
 */
try {
  // npm runs scripts from the package root; INIT_CWD is where `npm run act` was typed.
  const invocation = await actInvocation(process.argv.slice(2), {
    cwd: process.env.INIT_CWD ?? process.cwd(),
  });
  // Ctrl-C reaches act too (same process group), a SIGTERM only this process: either way wait for act
  // to stop, then remove the secret files, instead of dying at once and leaving them behind.
  const subprocess = execa(invocation.binary, invocation.args, {
    cwd: process.env.INIT_CWD ?? process.cwd(),
    env: invocation.env,
    stdio: 'inherit',
    reject: false,
  });
  const ignore = () => undefined;
  const forward = () => subprocess.kill('SIGTERM');
  process.on('SIGINT', ignore);
  process.on('SIGTERM', forward);
  try {
    const result = await subprocess;
    process.exitCode = result.exitCode ?? 1;
  } finally {
    invocation.removeCredentials();
    process.off('SIGINT', ignore);
    process.off('SIGTERM', forward);
  }
} catch (error) {
  process.stderr.write(`npm run act: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
}
