// actions/setup-node stand-in: a local run uses the node it finds; this says whether that node is the
// one the workflow asks for. Versions as setup-node reads them: 24, 24.x, 24.1, 24.1.0 (no ranges, no
// aliases: the workflows pin a major).
const wanted = (process.env.NODE_VERSION ?? '').trim();
const have = process.versions.node;
if (wanted === '') {
  console.log(`node ${have} (the workflow asks for no version)`);
  process.exit(0);
}
const spec = /^v?(\d+)(?:\.(\d+|x))?(?:\.(\d+|x))?$/.exec(wanted);
if (!spec) {
  console.error(
    `::error::the setup-node stand-in understands versions like 24, 24.x or 24.1.0, not '${wanted}'`,
  );
  process.exit(1);
}
const parts = have.split('.');
const matches = spec.slice(1).every((part, i) => part === undefined || part === 'x' || part === parts[i]);
if (!matches) {
  console.error(
    `::error::the workflow asks for node ${wanted}, and this machine runs node ${have} (${process.execPath}); ` +
      `put a node ${wanted} first on PATH for local runs`,
  );
  process.exit(1);
}
console.log(`node ${have} at ${process.execPath} satisfies ${wanted}`);
