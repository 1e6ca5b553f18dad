import { ConfigMap, Pod, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress, NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import type { Manifest } from './helm-chart.js';

/**
 * Checks rendered objects against the Kubernetes API schemas (types, required fields, enums,
 * quantities) with kubernetes-models, offline. An apiVersion/kind the chart is not expected to render
 * is an error too, so a typo in either cannot pass unnoticed.
 */

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const MODELS: Record<string, ModelClass> = {
  'v1/ConfigMap': ConfigMap,
  'v1/Pod': Pod,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
  'apps/v1/Deployment': Deployment,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'networking.k8s.io/v1/Ingress': Ingress,
};

/** Schema errors of each manifest, as `Kind/name: message`; empty when all are valid. */
export function kubernetesSchemaErrors(manifests: readonly Manifest[]): string[] {
  const errors: string[] = [];
  for (const manifest of manifests) {
    const id = `${manifest.kind}/${manifest.metadata?.name}`;
    const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
    if (!Model) {
      errors.push(`${id}: no schema for ${manifest.apiVersion} ${manifest.kind}`);
      continue;
    }
    try {
      new Model(manifest as never).validate();
    } catch (error) {
      errors.push(`${id}: ${(error as Error).message}`);
    }
  }
  return errors;
}
