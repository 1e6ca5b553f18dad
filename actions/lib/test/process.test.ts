import { describe, expect, it } from '@jest/globals';
import { MissingToolError } from '../src/errors.js';
import { createConsoleLog, useLog, actionsLog } from '../src/log.js';
import { meaningfulLine, runTool, ToolError } from '../src/process.js';

describe('runTool', () => {
  it('passes arguments as an array, never through a shell', async () => {
    const hostile = 'v1.0.0; echo pwned $(id) `id`';
    const result = await runTool(process.execPath, ['-e', 'process.stdout.write(process.argv[1])', hostile], {
      group: false,
    });
    expect(result.stdout).toBe(hostile);
    expect(result.exitCode).toBe(0);
  });

  it('feeds stdin, so secrets can reach a tool without argv', async () => {
    const result = await runTool(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], {
      input: 's3cret',
      group: false,
    });
    expect(result.stdout).toBe('s3cret');
  });

  it('reduces a failure to the meaningful stderr line', async () => {
    const script =
      'console.error("WARNING: something cosmetic"); console.error("Error: UPGRADE FAILED: timed out"); console.error("usage: ..."); process.exit(3)';
    const error = await runTool(process.execPath, ['-e', script], { group: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toContain('failed (exit 3): UPGRADE FAILED: timed out');
    expect((error as ToolError).result.exitCode).toBe(3);
  });

  it("names the deployer's Role when the cluster's RBAC refuses a call", async () => {
    // Helm's own line, as the local cluster printed it for a deployer outside its namespace.
    const line =
      'Error: query: failed to query with labels: secrets is forbidden: User "system:serviceaccount:staging:incidents-deployer" cannot list resource "secrets" in API group "" in the namespace "default"';
    const error = await runTool(
      process.execPath,
      ['-e', `console.error(${JSON.stringify(line)}); process.exit(1)`],
      {
        group: false,
      },
    ).catch((e: unknown) => e);
    expect((error as ToolError).message).toContain(
      "The cluster's RBAC refused system:serviceaccount:staging:incidents-deployer to list secrets in namespace default: " +
        'deploy into the namespace its Role covers (the KUBE_NAMESPACE variable), or grant that verb in the ' +
        "deployer's Role (docs/examples/deployer-rbac.yaml, docs/environments.md)",
    );
  });

  it('adds no fix to a failure it does not know', async () => {
    const error = await runTool(process.execPath, ['-e', 'console.error("Error: boom"); process.exit(1)'], {
      group: false,
    }).catch((e: unknown) => e);
    expect((error as ToolError).message).toMatch(/failed \(exit 1\): boom$/);
  });

  it('returns the failed result when failure is allowed', async () => {
    const result = await runTool(process.execPath, ['-e', 'process.exit(2)'], {
      group: false,
      allowFailure: true,
    });
    expect(result.exitCode).toBe(2);
  });

  it('kills a tool that outlives its timeout', async () => {
    const error = await runTool(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], {
      group: false,
      timeoutMs: 300,
    }).catch((e: unknown) => e);
    expect((error as ToolError).message).toMatch(/timed out after 0s|timed out/);
    expect((error as ToolError).result.timedOut).toBe(true);
  });

  it('stops a tool through its cancel signal with SIGTERM, and gives it stopGraceMs to wind down', async () => {
    // Like Helm on SIGTERM: it notes the cancellation, takes a moment to settle, then fails.
    const script =
      "process.on('SIGTERM', () => setTimeout(() => { console.error('Error: UPGRADE FAILED: context canceled'); process.exit(1); }, 300)); console.log('waiting'); setInterval(() => {}, 1000);";
    const controller = new AbortController();
    const running = runTool(process.execPath, ['-e', script], {
      group: false,
      cancelSignal: controller.signal,
      stopGraceMs: 5_000,
    }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(), 300);
    const error = await running;
    expect(error).toBeInstanceOf(ToolError);
    expect((error as ToolError).message).toMatch(/was stopped: UPGRADE FAILED: context canceled$/);
    expect((error as ToolError).result).toMatchObject({ canceled: true, exitCode: 1, timedOut: false });
  });

  it('names a missing tool and how to get it', async () => {
    const error = await runTool('kind', ['version'], { group: false, env: { PATH: '/nonexistent' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingToolError);
    expect((error as Error).message).toMatch(/kind was not found on PATH\. Install kind/);
  });

  it('redacts registered secrets from console output', async () => {
    let printed = '';
    const sink = { write: (s: string) => ((printed += s), true) } as unknown as NodeJS.WritableStream;
    useLog(createConsoleLog(sink));
    try {
      await runTool(process.execPath, ['-e', 'console.log("token=tok-123")'], { secrets: ['tok-123'] });
    } finally {
      useLog(actionsLog);
    }
    expect(printed).toContain('token=***');
    expect(printed).not.toContain('tok-123');
  });
});

describe('meaningfulLine', () => {
  it('prefers the last error-like line over warnings and usage text', () => {
    expect(meaningfulLine('hint: use --force\nfatal: tag already exists\n')).toBe('tag already exists');
    expect(meaningfulLine('', 'only stdout')).toBe('only stdout');
    expect(meaningfulLine('')).toBe('no output');
  });
});
