import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { CLUSTER_DOMAIN, NETWORK, NODE_NAME } from './layout.js';

/**
 * The cluster's certificates, made with Debian's openssl (argument arrays, no shell). Node's crypto
 * makes keys but cannot issue X.509 certificates, and cfssl or kubeadm would be one more thing to
 * build; openssl 3's `req -x509 -CA` issues a signed certificate in one call, with the extensions
 * from a small config file, which is all a single-node cluster needs. Keys are ECDSA P-256.
 */

interface Subject {
  cn: string;
  o?: string;
}

interface CertificateSpec {
  file: string;
  subject: Subject;
  usage: 'client' | 'server' | 'both';
  dns?: string[];
  ips?: string[];
}

/** Who is who: the user and group names the API server's authorizers (Node, RBAC) know. */
export const CERTIFICATES: readonly CertificateSpec[] = [
  {
    file: 'apiserver',
    subject: { cn: 'kube-apiserver' },
    usage: 'server',
    dns: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      `kubernetes.default.svc.${CLUSTER_DOMAIN}`,
    ],
    ips: ['127.0.0.1', NETWORK.apiServiceIp, NETWORK.nodeIp],
  },
  {
    file: 'apiserver-kubelet-client',
    subject: { cn: 'kube-apiserver-kubelet-client', o: 'system:masters' },
    usage: 'client',
  },
  { file: 'admin', subject: { cn: 'kubernetes-admin', o: 'system:masters' }, usage: 'client' },
  { file: 'controller-manager', subject: { cn: 'system:kube-controller-manager' }, usage: 'client' },
  { file: 'scheduler', subject: { cn: 'system:kube-scheduler' }, usage: 'client' },
  { file: 'kube-proxy', subject: { cn: 'system:kube-proxy' }, usage: 'client' },
  { file: 'kubelet-client', subject: { cn: `system:node:${NODE_NAME}`, o: 'system:nodes' }, usage: 'client' },
  { file: 'kubelet', subject: { cn: NODE_NAME }, usage: 'server', dns: [NODE_NAME], ips: [NETWORK.nodeIp] },
];

export interface Pki {
  dir: string;
  ca: string;
  caKey: string;
  cert(name: string): string;
  key(name: string): string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

export function pkiPaths(dir: string): Pki {
  return {
    dir,
    ca: path.join(dir, 'ca.crt'),
    caKey: path.join(dir, 'ca.key'),
    cert: (name) => path.join(dir, `${name}.crt`),
    key: (name) => path.join(dir, `${name}.key`),
    serviceAccountKey: path.join(dir, 'sa.key'),
    serviceAccountPublicKey: path.join(dir, 'sa.pub'),
  };
}

/** Creates whatever is missing; an existing CA and its certificates are kept (`up` is idempotent). */
export async function ensureCertificates(dir: string): Promise<Pki> {
  const pki = pkiPaths(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(pki.ca) || !existsSync(pki.caKey)) {
    await issue(pki, 'ca', { cn: 'incidents-cluster-ca' }, caExtensions(), undefined);
  }
  for (const spec of CERTIFICATES) {
    if (existsSync(pki.cert(spec.file)) && existsSync(pki.key(spec.file))) continue;
    await issue(pki, spec.file, spec.subject, leafExtensions(spec), pki);
  }
  if (!existsSync(pki.serviceAccountKey) || !existsSync(pki.serviceAccountPublicKey)) {
    await openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      pki.serviceAccountKey,
    ]);
    await openssl(['pkey', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPublicKey]);
    await chmod(pki.serviceAccountKey, 0o600);
  }
  return pki;
}

function caExtensions(): string[] {
  return [
    'basicConstraints = critical,CA:TRUE',
    'keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign',
    'subjectKeyIdentifier = hash',
  ];
}

export function leafExtensions(spec: CertificateSpec): string[] {
  const usage = { client: 'clientAuth', server: 'serverAuth', both: 'serverAuth,clientAuth' }[spec.usage];
  const lines = [
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage = ${usage}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
  ];
  const names = [...(spec.dns ?? []).map((d) => `DNS:${d}`), ...(spec.ips ?? []).map((i) => `IP:${i}`)];
  if (names.length > 0) lines.push(`subjectAltName = ${names.join(',')}`);
  return lines;
}

async function issue(
  pki: Pki,
  name: string,
  subject: Subject,
  extensions: string[],
  signer: Pki | undefined,
) {
  const config = path.join(pki.dir, `${name}.cnf`);
  const dn = [...(subject.o ? [`O = ${subject.o}`] : []), `CN = ${subject.cn}`];
  await writeFile(
    config,
    ['[req]', 'distinguished_name = dn', 'prompt = no', '[dn]', ...dn, '[ext]', ...extensions, ''].join('\n'),
  );
  const key = name === 'ca' ? pki.caKey : pki.key(name);
  const cert = name === 'ca' ? pki.ca : pki.cert(name);
  const args = ['req', '-x509', '-new', '-noenc', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  args.push('-keyout', key, '-out', cert, '-config', config, '-extensions', 'ext', '-sha256');
  args.push('-days', name === 'ca' ? '3650' : '365');
  if (signer) args.push('-CA', signer.ca, '-CAkey', signer.caKey);
  await openssl(args);
  await chmod(key, 0o600);
  await rm(config);
}

async function openssl(args: string[]): Promise<void> {
  const result = await execa('openssl', args, { reject: false, all: true });
  if ((result as { code?: string }).code === 'ENOENT') {
    throw new Error('openssl is not installed: apt-get install openssl');
  }
  if (result.exitCode !== 0) throw new Error(`openssl ${args[0]} failed: ${String(result.all).trim()}`);
}
