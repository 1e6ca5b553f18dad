import { setOutputs } from '@incidents-pipeline/actions-lib/action';
import {
  CosignClient,
  SignatureVerificationError,
  withKeyFile,
  type VerifiedImage,
} from '@incidents-pipeline/actions-lib/cosign';
import { log } from '@incidents-pipeline/actions-lib/log';
import { deployRelease, DeployFailedError, type DeployResult } from '@incidents-pipeline/actions-lib/deploy';
import { writeSummary, type SummaryRow } from '@incidents-pipeline/actions-lib/summary';
import { getInputs, type Inputs, type VerifyInputs } from './inputs.js';

export async function run(): Promise<void> {
  const inputs = getInputs();
  const verified = inputs.verify ? await verifyImage(inputs, inputs.verify) : undefined;
  try {
    const result = await deployRelease({ ...inputs, imageDigest: verified?.digest });
    report(result);
    await writeSummary(`Deployed ${inputs.release}`, rows(inputs.release, inputs.namespace, result));
  } catch (error) {
    if (error instanceof DeployFailedError) {
      report(error.result);
      await writeSummary(
        `Deploy of ${inputs.release} failed`,
        [...rows(inputs.release, inputs.namespace, error.result), ['Reason', error.message]],
        error.diagnostics,
      );
    }
    throw error;
  }
}

/**
 * Before anything is installed (helm is not even asked for the release): the image must carry a
 * signature that verifies against the signer given, and the digest that verified is what is deployed,
 * so a tag moved afterwards cannot swap the image. A missing or wrong signature fails the step here.
 */
async function verifyImage(inputs: Inputs, verify: VerifyInputs): Promise<VerifiedImage> {
  const image = `${inputs.imageRepository}:${inputs.imageTag}`;
  const pinned = inputs.set.find((s) => s.key === 'image.digest')?.value;
  const cosign = new CosignClient({ transparencyLog: verify.transparencyLog });
  const signer = verify.signer;
  const verified =
    'publicKey' in signer
      ? await withKeyFile(signer.publicKey, (keyFile) => cosign.verify(image, { keyFile }), { secret: false })
      : await cosign.verify(image, signer);
  // `set image.digest` would win over the verified digest in Helm: it must name the same manifest.
  if (pinned && pinned !== verified.digest)
    throw new SignatureVerificationError(
      `${image} verified as ${verified.digest}, but set gives image.digest=${pinned}: nothing was installed`,
    );
  log().info(`signature verified: ${inputs.imageRepository}@${verified.digest} is deployed by digest`);
  return verified;
}

function report(result: DeployResult): void {
  setOutputs({
    revision: result.revision,
    status: result.status,
    'previous-revision': result.previousRevision,
    'rolled-back': result.rolledBack,
  });
}

function rows(release: string, namespace: string, result: DeployResult): SummaryRow[] {
  return [
    ['Release', `${release} (namespace ${namespace})`],
    [
      'Revision',
      `${result.revision}${result.previousRevision !== undefined ? ` (was ${result.previousRevision})` : ''}`,
    ],
    ['Status', result.status + (result.rolledBack ? ', rolled back' : '')],
    ['Image', result.image],
    ['Pods ready', result.podsReady ? `${result.podsReady.ready}/${result.podsReady.desired}` : 'unknown'],
    ['Smoke test', result.smokeTest],
    ['Helm', result.helmVersion],
  ];
}
