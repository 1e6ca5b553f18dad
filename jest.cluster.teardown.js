// After the cluster tests and the act runs: they leave the cluster up for one another (each `up` is then a
// no-op), so the last step takes it down and the machine is left as the tests found it.
import { execFileSync } from 'node:child_process';

export default function teardown() {
  execFileSync('npm', ['run', '--silent', 'cluster', '--', 'down'], { stdio: 'inherit' });
}
