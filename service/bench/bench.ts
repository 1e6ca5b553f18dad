// Measures the built service under load next to yardsticks started in the same run, and prints a
// verdict for every target. Usage: npm run bench [-- --reload] [-- --duration 5 --warmup 2
// --connections 50 --no-build]. Exits 1 when a target is missed.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchReload } from './reload.js';
import { benchRoutes } from './routes.js';

const serviceDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '50' },
    reload: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
  },
});
const options = {
  seconds: Number(args.duration),
  warmupSeconds: Number(args.warmup),
  connections: Number(args.connections),
};

if (!args['no-build']) {
  console.log('building service/dist ...');
  execFileSync('npm', ['run', 'build'], { cwd: serviceDir, stdio: 'inherit' });
}
const met = args.reload ? await benchReload(serviceDir, options) : await benchRoutes(serviceDir, options);
process.exitCode = met ? 0 : 1;
