// A stand-in `helm` that keeps release histories in the state file and answers like Helm 3 or 4
// (state.helmVersion). state.upgradeFails makes upgrades fail the way a rollout timeout does;
// state.upgradeStalls and state.rollbackStalls (a revision) make them wait for pods that do not come,
// until SIGTERM; state.testFails makes `helm test` fail ('silently': with nothing on stderr).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { fail, flag, loadState, positionals, record, saveState } from './common.js';

const args = process.argv.slice(2);
record('helm', args);
const state = loadState();
const major = Number(/^v(\d+)/.exec(state.helmVersion)[1]);
const WITH_VALUE = [
  '--namespace',
  '-n',
  '--kube-context',
  '--values',
  '-f',
  '--set',
  '--timeout',
  '--output',
  '-o',
  '--max',
  '--template',
];
const [command, name, third] = positionals(args, WITH_VALUE);
const namespace = flag(args, '--namespace') ?? flag(args, '-n') ?? 'default';
const releases = (state.releases ??= {});
const release = releases[name];
const now = '2026-11-25T10:00:00.000000+00:00';

for (const f of ['--rollback-on-failure', '--wait=watcher']) {
  if (major === 3 && args.includes(f))
    fail(`Error: unknown flag: ${f.split('=')[0]}${f.includes('=') ? ' (bad value)' : ''}`);
}
if (major === 4 && args.includes('--atomic'))
  process.stderr.write('Flag --atomic has been deprecated, use --rollback-on-failure instead\n');

function latest(r) {
  return r.history[r.history.length - 1];
}

function asStatus(r, entry) {
  return {
    name,
    namespace: r.namespace,
    version: entry.revision,
    info: {
      status: entry.status,
      description: entry.description,
      first_deployed: now,
      last_deployed: now,
      notes: 'NOTES',
    },
    // Helm 3 prints the chart; Helm 4 (4.3, checked on the local cluster) leaves it out.
    ...(major === 3
      ? {
          chart: { metadata: { name: 'incidents-service', version: '0.1.0', appVersion: entry.app_version } },
        }
      : {}),
    config: entry.config,
    manifest: '---',
  };
}

function merge(into, from) {
  for (const [k, v] of Object.entries(from ?? {})) {
    if (v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object')
      merge(into[k], v);
    else into[k] = v;
  }
  return into;
}

function append(r, entry) {
  for (const h of r.history) if (h.status === 'deployed') h.status = 'superseded';
  r.history.push({
    revision: latest(r).revision + 1,
    updated: now,
    chart: 'incidents-service-0.1.0',
    ...entry,
  });
}

/**
 * A Helm command that waits for pods that never become ready (state.upgradeStalls or
 * state.rollbackStalls): the new revision is recorded, the pods of `stalledPods` appear, and the
 * command waits until `stallSucceedsAfterMs` (then it succeeds, as a slow rollout does) or a SIGTERM.
 */
function stall(r, entry, onTerm) {
  // Unlike append: the revision that serves stays deployed until the new one is.
  r.history.push({
    revision: latest(r).revision + 1,
    updated: now,
    chart: 'incidents-service-0.1.0',
    ...entry,
  });
  state.pods = [...(state.pods ?? []), ...(state.stalledPods ?? [])];
  state.replicaSets = state.stalledReplicaSets ?? state.replicaSets;
  saveState(state);
  process.on('SIGTERM', onTerm);
  const keepAlive = setInterval(() => {}, 1000);
  if (state.stallSucceedsAfterMs !== undefined) {
    setTimeout(() => {
      clearInterval(keepAlive);
      const after = loadState();
      const current = after.releases[name];
      for (const h of current.history) if (h.status === 'deployed') h.status = 'superseded';
      Object.assign(latest(current), { status: 'deployed', description: 'Upgrade complete' });
      saveState(after);
      process.stdout.write(`Release "${name}" has been upgraded. Happy Helming!\n`);
      process.exit(0);
    }, state.stallSucceedsAfterMs);
  }
}

switch (command) {
  case 'version':
    process.stdout.write(state.helmVersion);
    break;
  case 'status':
    if (!release) fail('Error: release: not found');
    process.stdout.write(JSON.stringify(asStatus(release, latest(release))));
    break;
  case 'history':
    if (!release) fail('Error: release: not found');
    process.stdout.write(JSON.stringify(release.history.map(({ config: _c, ...h }) => h)));
    break;
  case 'upgrade': {
    if (release && /^pending-/.test(latest(release).status)) {
      fail('Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress');
    }
    const config = {};
    args.forEach((a, i) => {
      if (a === '--values') merge(config, parse(readFileSync(args[i + 1], 'utf8')) ?? {});
    });
    const appVersion = '0.1.0';
    const rollsBack = args.includes('--rollback-on-failure') || args.includes('--atomic');
    if (!release) {
      if (state.upgradeFails) {
        if (!rollsBack)
          releases[name] = {
            namespace,
            history: [
              {
                revision: 1,
                updated: now,
                chart: 'incidents-service-0.1.0',
                status: 'failed',
                description: `Release "${name}" failed: ${state.upgradeFails}`,
                app_version: appVersion,
                config,
              },
            ],
          };
        saveState(state);
        fail(
          `Error: INSTALLATION FAILED: ${state.upgradeFails}${rollsBack ? ` and uninstalled due to rollback-on-failure being set` : ''}`,
        );
      }
      releases[name] = {
        namespace,
        history: [
          {
            revision: 1,
            updated: now,
            chart: 'incidents-service-0.1.0',
            status: 'deployed',
            description: 'Install complete',
            app_version: appVersion,
            config,
          },
        ],
      };
      saveState(state);
      process.stdout.write(
        `Release "${name}" does not exist. Installing it now.\nNAME: ${name}\nSTATUS: deployed\nREVISION: 1\n`,
      );
      break;
    }
    if (state.upgradeStalls) {
      stall(
        release,
        { status: 'pending-upgrade', description: 'Preparing upgrade', app_version: appVersion, config },
        () => {
          // What Helm 4 does on SIGTERM: the revision fails, and rollback-on-failure rolls back.
          const after = loadState();
          const r = after.releases[name];
          const before = r.history.filter((h) => h.status === 'deployed').pop();
          Object.assign(latest(r), {
            status: 'failed',
            description: `Upgrade "${name}" failed: context canceled`,
          });
          if (rollsBack && before)
            append(r, {
              status: 'deployed',
              description: `Rollback to ${before.revision}`,
              app_version: before.app_version,
              config: before.config,
            });
          saveState(after);
          process.stdout.write(`Release ${name} has been cancelled.\n`);
          fail(
            rollsBack
              ? `Error: UPGRADE FAILED: release ${name} failed, and has been rolled back due to rollback-on-failure being set: context canceled`
              : 'Error: UPGRADE FAILED: context canceled',
          );
        },
      );
      break;
    }
    if (state.upgradeFails) {
      const before = release.history.filter((h) => h.status === 'deployed').pop();
      release.history.push({
        revision: latest(release).revision + 1,
        updated: now,
        chart: 'incidents-service-0.1.0',
        status: 'failed',
        description: `Upgrade "${name}" failed: ${state.upgradeFails}`,
        app_version: appVersion,
        config,
      });
      if (rollsBack && before)
        append(release, {
          status: 'deployed',
          description: `Rollback to ${before.revision}`,
          app_version: before.app_version,
          config: before.config,
        });
      saveState(state);
      fail(`Error: UPGRADE FAILED: ${state.upgradeFails}${rollsBack ? ' and rollback was performed' : ''}`);
    }
    append(release, { status: 'deployed', description: 'Upgrade complete', app_version: appVersion, config });
    saveState(state);
    process.stdout.write(
      `Release "${name}" has been upgraded. Happy Helming!\nNAME: ${name}\nSTATUS: deployed\nREVISION: ${latest(release).revision}\n`,
    );
    break;
  }
  case 'rollback': {
    if (!release) fail('Error: release: not found');
    const to = release.history.find((h) => h.revision === Number(third));
    if (!to) fail(`Error: release has no ${third} version`);
    if (state.rollbackStalls === to.revision) {
      // Helm's rollback does not catch SIGTERM: it dies and the revision stays pending-rollback.
      stall(
        release,
        {
          status: 'pending-rollback',
          description: 'Preparing rollback',
          app_version: to.app_version,
          config: to.config,
        },
        () => process.exit(143),
      );
      break;
    }
    for (const h of release.history) if (/^pending-/.test(h.status)) h.status = 'failed';
    append(release, {
      status: 'deployed',
      description: `Rollback to ${to.revision}`,
      app_version: to.app_version,
      config: to.config,
    });
    saveState(state);
    process.stdout.write('Rollback was a success! Happy Helming!\n');
    break;
  }
  case 'uninstall':
    if (!release) fail('Error: uninstall: Release not loaded: release: not found');
    delete releases[name];
    saveState(state);
    process.stdout.write(`release "${name}" uninstalled\n`);
    break;
  case 'test':
    if (state.testFails === 'silently') {
      // As when the hook pod fails and Helm has nothing of its own to add: only the pod's log.
      process.stdout.write(`NAME: ${name}\nPhase: Failed\nPOD LOGS: ${name}-test\nconnection refused\n`);
      process.exit(1);
    }
    if (state.testFails) {
      process.stdout.write(
        `NAME: ${name}\nTEST SUITE: ${name}-test\nPhase: Failed\nPOD LOGS: ${name}-test\nerror: GET / answered 500\n`,
      );
      fail(`Error: 1 error occurred:\n\t* pod ${name}-test failed`);
    }
    process.stdout.write(`NAME: ${name}\nTEST SUITE: ${name}-test\nPhase: Succeeded\n`);
    break;
  default:
    fail(`Error: unknown command "${command}" for "helm"`);
}
