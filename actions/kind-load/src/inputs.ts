import { InputError } from '@incidents-pipeline/actions-lib/errors';
import { assertSingleLine, getList, getRequired } from '@incidents-pipeline/actions-lib/inputs';

export interface Inputs {
  cluster: string;
  images: string[];
}

// A kind cluster name as kind accepts it, and an image reference without spaces or shell syntax.
const CLUSTER = /^[a-z0-9][a-z0-9.-]*$/;
const IMAGE = /^[a-z0-9][a-z0-9._\-/:@]*$/i;

export function getInputs(): Inputs {
  const cluster = assertSingleLine('cluster', getRequired('cluster'));
  if (!CLUSTER.test(cluster)) throw new InputError('cluster', `'${cluster}' is not a kind cluster name`);
  const images = getList('images');
  if (images.length === 0) throw new InputError('images', 'is required: one image reference per line');
  for (const image of images) {
    if (!IMAGE.test(image)) throw new InputError('images', `'${image}' is not an image reference`);
  }
  return { cluster, images };
}
