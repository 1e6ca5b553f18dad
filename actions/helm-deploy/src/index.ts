import { runAction } from '../../lib/src/action.js';
import { run } from './main.js';

await runAction(run);
