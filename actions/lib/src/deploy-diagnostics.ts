import { failingPods, type KubectlClient, type KubeEvent, type PodInfo } from './kubectl.js';
import { log } from './log.js';
import { escapeHtml } from './summary.js';

/**
 * What a person needs to see when a rollout fails, gathered before anyone has to open a terminal:
 * the namespace's recent warning events, and for each failing pod its description and the last lines
 * of its logs (and of the previous run when it restarted). Shown in log groups and returned as
 * markdown for the job summary. Gathering never throws: a diagnostic that fails says so and the
 * deploy's own error stays the one reported.
 */

export interface PodDiagnostics {
  pod: PodInfo;
  description: string;
  logs: string;
  previousLogs?: string;
}

export interface Diagnostics {
  events: KubeEvent[];
  pods: PodDiagnostics[];
  problems: string[];
}

const MAX_EVENTS = 25;
const MAX_PODS = 3;
const LOG_LINES = 40;

export async function collectDiagnostics(
  kubectl: KubectlClient,
  namespace: string,
  selector: string,
): Promise<Diagnostics> {
  const diagnostics: Diagnostics = { events: [], pods: [], problems: [] };
  const attempt = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (error) {
      diagnostics.problems.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  await attempt('events', async () => {
    const events = await kubectl.events(namespace);
    const warnings = events.filter((e) => e.type !== 'Normal');
    diagnostics.events = (warnings.length > 0 ? warnings : events).slice(-MAX_EVENTS);
  });
  await attempt('pods', async () => {
    const pods = failingPods(await kubectl.pods(namespace, selector)).slice(0, MAX_PODS);
    for (const pod of pods) {
      const description = await kubectl.describePods(namespace, [pod.name]);
      const logs = await kubectl.logsTail(namespace, pod.name, LOG_LINES);
      const previousLogs =
        pod.restarts > 0 ? await kubectl.logsTail(namespace, pod.name, LOG_LINES, true) : undefined;
      diagnostics.pods.push({ pod, description, logs, previousLogs });
    }
  });

  await log().group('Diagnostics: events', async () => log().info(formatEvents(diagnostics.events)));
  for (const p of diagnostics.pods) {
    await log().group(`Diagnostics: pod ${p.pod.name} (${podState(p.pod)})`, async () => {
      log().info(p.description.trimEnd());
      log().info(`--- last ${LOG_LINES} log lines ---\n${p.logs.trimEnd()}`);
      if (p.previousLogs) log().info(`--- previous run ---\n${p.previousLogs.trimEnd()}`);
    });
  }
  for (const problem of diagnostics.problems) log().warning(`could not collect diagnostics: ${problem}`);
  return diagnostics;
}

export function podState(pod: PodInfo): string {
  const reasons = pod.reasons.length > 0 ? `, ${pod.reasons.join(', ')}` : '';
  return `${pod.phase}${pod.ready ? ', ready' : ', not ready'}${reasons}, ${pod.restarts} restarts`;
}

export function formatEvents(events: readonly KubeEvent[]): string {
  if (events.length === 0) return '(no events)';
  return events
    .map(
      (e) =>
        `${e.lastSeen} ${e.type} ${e.reason} ${e.object}${e.count > 1 ? ` (x${e.count})` : ''}: ${e.message}`,
    )
    .join('\n');
}

/** Markdown for the job summary: events and each failing pod in collapsible blocks. */
export function diagnosticsMarkdown(diagnostics: Diagnostics): string {
  const block = (title: string, text: string) =>
    `<details><summary>${escapeHtml(title)}</summary>\n\n<pre>${escapeHtml(tail(text, 60))}</pre>\n\n</details>\n`;
  const parts = ['#### Diagnostics\n', block('Events', formatEvents(diagnostics.events))];
  for (const p of diagnostics.pods) {
    parts.push(block(`Pod ${p.pod.name} (${podState(p.pod)})`, p.description));
    parts.push(
      block(
        `Logs of ${p.pod.name}`,
        p.previousLogs ? `${p.previousLogs}\n--- current ---\n${p.logs}` : p.logs,
      ),
    );
  }
  if (diagnostics.problems.length > 0)
    parts.push(`Not collected: ${escapeHtml(diagnostics.problems.join('; '))}\n`);
  return parts.join('\n');
}

function tail(text: string, lines: number): string {
  const all = text.trimEnd().split('\n');
  return all.length <= lines ? all.join('\n') : ['…', ...all.slice(-lines)].join('\n');
}
