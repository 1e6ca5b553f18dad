import { describe, expect, test } from '@jest/globals';
import { checkKubeconfig, kubeconfigSecrets } from '../src/kubeconfig.js';

/**
 * The kubeconfig checks on their own: what a kubeconfig may make the job's tools do. An exec credential
 * plugin runs a program of the file's choosing, with the step's environment, each time kubectl or helm
 * needs a credential; an auth-provider runs kubectl's built-in provider code (and its refresh). Both are
 * refused unless the workflow opts in with allow-exec. The action's bundle test covers the same through
 * its inputs.
 */

const SERVER = 'https://10.1.2.3:6443';
const kubeconfig = (user: string) => `apiVersion: v1
kind: Config
clusters:
  - name: staging
    cluster:
      server: ${SERVER}
users:
  - name: deployer
    user:
      token: eyJhbGciOiJSUzI1NiJ9.deployer-token-5f2c
  - name: plugin
    user:
${user
  .split('\n')
  .map((line) => `      ${line}`)
  .join('\n')}
contexts:
  - name: deployer@staging
    context:
      cluster: staging
      user: deployer
current-context: deployer@staging
`;

const EXEC = `exec:
  apiVersion: client.authentication.k8s.io/v1
  command: aws
  args: ["eks", "get-token", "--cluster-name", "staging", "--role-arn", "arn:aws:iam::123456789012:role/deployer"]
  env:
    - name: AWS_SECRET_ACCESS_KEY
      value: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  interactiveMode: Never`;
const AUTH_PROVIDER = `auth-provider:
  name: oidc
  config:
    idp-issuer-url: https://issuer.example.com
    client-id: deployer
    client-secret: s3cr3t-client-value
    refresh-token: r3fresh-token-value`;

describe('checkKubeconfig', () => {
  test('accepts a token user', () => {
    expect(checkKubeconfig(kubeconfig('token: another-token-value')).currentContext).toBe('deployer@staging');
  });

  test('refuses a user with an exec credential plugin, by position, naming the opt-in', () => {
    expect(() => checkKubeconfig(kubeconfig(EXEC))).toThrow(
      "the kubeconfig's users[1] runs an exec credential plugin, a program the file chooses, with this " +
        "step's environment; use a token or client certificate, or set allow-exec: true if you trust the file",
    );
  });

  test('refuses a user with an auth-provider, naming the opt-in', () => {
    expect(() => checkKubeconfig(kubeconfig(AUTH_PROVIDER))).toThrow(
      "the kubeconfig's users[1] uses an auth-provider, which runs provider code and refreshes credentials; " +
        'use a token or client certificate, or set allow-exec: true if you trust the file',
    );
  });

  test('accepts both with allowExec', () => {
    expect(checkKubeconfig(kubeconfig(EXEC), { allowExec: true }).contexts).toEqual(['deployer@staging']);
    expect(checkKubeconfig(kubeconfig(AUTH_PROVIDER), { allowExec: true }).contexts).toEqual([
      'deployer@staging',
    ]);
  });

  test('no refusal quotes the file', () => {
    const messages = [EXEC, AUTH_PROVIDER].map((user) => {
      try {
        checkKubeconfig(kubeconfig(user));
        return '(accepted)';
      } catch (error) {
        return (error as Error).message;
      }
    });
    expect(messages.map((m) => m.startsWith("the kubeconfig's users[1] "))).toEqual([true, true]);
    for (const value of ['aws', 'get-token', 'wJalrXUtnFEMI', 's3cr3t', 'issuer.example.com', SERVER])
      for (const message of messages) expect(message).not.toContain(value);
  });
});

describe('kubeconfigSecrets', () => {
  test("masks an exec plugin's arguments and environment values, which may carry credentials", () => {
    const secrets = kubeconfigSecrets(kubeconfig(EXEC));
    expect(secrets).toEqual(
      expect.arrayContaining([
        'get-token',
        '--cluster-name',
        'staging',
        '--role-arn',
        'arn:aws:iam::123456789012:role/deployer',
        'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      ]),
    );
    // Too short to mask: the runner would blank the word out of every line of the log.
    expect(secrets).not.toContain('eks');
  });

  test("masks an auth-provider's tokens and client secret", () => {
    expect(kubeconfigSecrets(kubeconfig(AUTH_PROVIDER))).toEqual(
      expect.arrayContaining(['s3cr3t-client-value', 'r3fresh-token-value']),
    );
  });
});
