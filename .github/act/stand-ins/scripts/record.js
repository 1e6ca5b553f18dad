// The recording stand-ins (login-action, upload-artifact, action-gh-release): one JSON line per call in
// $INCIDENTS_ACT_RECORD with the action and its inputs, for tests and for a person to read what a real
// run would have done. Credentials are recorded as set or empty, never by value.
import { appendFileSync } from 'node:fs';

const action = process.argv[2];
const file = process.env.INCIDENTS_ACT_RECORD;
if (!action || !file) {
  console.error(
    '::error::record.js needs the action name and INCIDENTS_ACT_RECORD (run act through npm run act)',
  );
  process.exit(1);
}
const inputs = JSON.parse(process.env.INPUTS || '{}');
for (const key of ['password', 'token']) {
  if (key in inputs) inputs[key] = inputs[key] ? '(set)' : '(empty)';
}
appendFileSync(file, `${JSON.stringify({ action, job: process.env.GITHUB_JOB, inputs })}\n`);
console.log(`${action} is not run locally; recorded in ${file}`);
