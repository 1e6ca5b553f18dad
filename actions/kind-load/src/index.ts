import { runAction } from '@incidents-pipeline/actions-lib/action';
import { run } from './main.js';

await runAction(run);
