import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import ts from 'typescript';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';

/**
 * The actions and the CLI reach shared code through the workspace package name, never through a
 * relative path into actions/lib: a relative path ties each package to the folder layout and lets a
 * package use code it does not declare as a dependency.
 */

const LIB = path.join(ROOT, 'actions/lib');
const libPackage = JSON.parse(readFileSync(path.join(LIB, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, string>;
};

function typeScriptFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist'].includes(entry.name) ? [] : typeScriptFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every workspace under actions/ except the library itself. */
const consumers = readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
  .filter(
    (e) =>
      e.isDirectory() && e.name !== 'lib' && existsSync(path.join(ROOT, 'actions', e.name, 'package.json')),
  )
  .map((e) => path.join(ROOT, 'actions', e.name));

const imports = consumers.flatMap((workspace) =>
  typeScriptFiles(workspace).flatMap((file) =>
    ts
      .preProcessFile(readFileSync(file, 'utf8'), true, true)
      .importedFiles.map((i) => ({ workspace, file: path.relative(ROOT, file), specifier: i.fileName })),
  ),
);

/** Where the exports map sends `<package>/<subpath>`, as Node, tsc, Jest and ncc read it. */
function exported(subpath: string): string | undefined {
  for (const [pattern, target] of Object.entries(libPackage.exports)) {
    if (!pattern.includes('*')) {
      if (pattern === subpath) return path.join(LIB, target);
      continue;
    }
    const [before, after = ''] = pattern.split('*');
    if (
      subpath.startsWith(before) &&
      subpath.endsWith(after) &&
      subpath.length >= before.length + after.length
    ) {
      const star = subpath.slice(before.length, subpath.length - after.length);
      return path.join(LIB, target.replace('*', star));
    }
  }
  return undefined;
}

describe('imports of shared code', () => {
  test('the actions and the CLI use actions/lib, so the check has something to look at', () => {
    expect(consumers.length).toBeGreaterThanOrEqual(5);
    expect(imports.filter((i) => i.specifier.startsWith(`${libPackage.name}/`)).length).toBeGreaterThan(0);
  });

  test('no file outside actions/lib reaches into it by a relative path', () => {
    const relative = imports.filter(
      ({ file, specifier }) =>
        specifier.startsWith('.') &&
        path.resolve(ROOT, path.dirname(file), specifier).startsWith(LIB + path.sep),
    );
    expect(relative.map(({ file, specifier }) => `${file}: ${specifier}`)).toEqual([]);
  });

  test('every package-name import resolves through the exports map to a source file', () => {
    const unresolved = imports
      .filter(({ specifier }) => specifier.startsWith(`${libPackage.name}/`))
      .filter(({ specifier }) => {
        const target = exported(`./${specifier.slice(libPackage.name.length + 1)}`);
        return target === undefined || !existsSync(target);
      });
    expect(unresolved.map(({ file, specifier }) => `${file}: ${specifier}`)).toEqual([]);
  });

  test('each workspace that imports the library declares it as a dependency', () => {
    const undeclared = consumers.filter((workspace) => {
      const uses = imports.some(
        (i) => i.workspace === workspace && i.specifier.startsWith(`${libPackage.name}/`),
      );
      const manifest = JSON.parse(readFileSync(path.join(workspace, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
      };
      return uses && manifest.dependencies?.[libPackage.name] === undefined;
    });
    expect(undeclared.map((w) => path.relative(ROOT, w))).toEqual([]);
  });
});
