import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import ts from 'typescript';
import { REPO_ROOT as ROOT } from '@incidents-pipeline/test-support/repository';

/**
 * Product code holds no test-only code: every public method of the tool clients in actions/lib is
 * called by an action, the CLI or the library. A method only tests call belongs to the test support
 * (test-support/) or the development platform (devtools/), and one nobody calls should not exist.
 */

const LIB_SRC = path.join(ROOT, 'actions/lib/src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory())
      return ['node_modules', 'dist', 'test'].includes(entry.name) ? [] : sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every TypeScript source of an action, the CLI and the library, without tests and test infrastructure. */
const productFiles = readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .flatMap((e) => sources(path.join(ROOT, 'actions', e.name, 'src')));
const parsed = productFiles.map((file) =>
  ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2023, true),
);

interface Method {
  owner: string;
  name: string;
  file: string;
  node: ts.Node;
}

/** Public methods of the exported classes named `…Client` in actions/lib/src. */
const clientMethods: Method[] = parsed
  .filter((source) => source.fileName.startsWith(LIB_SRC))
  .flatMap((source) =>
    source.statements.filter(ts.isClassDeclaration).flatMap((cls) => {
      const owner = cls.name?.text ?? '';
      if (!owner.endsWith('Client')) return [];
      return cls.members
        .filter(ts.isMethodDeclaration)
        .filter(
          (m) =>
            !m.modifiers?.some((mod) =>
              [ts.SyntaxKind.PrivateKeyword, ts.SyntaxKind.ProtectedKeyword].includes(mod.kind),
            ),
        )
        .map((m) => ({ owner, name: m.name.getText(source), file: source.fileName, node: m as ts.Node }));
    }),
  );

/**
 * The TypeScript language service over the product files, as tsc sees them (the root tsconfig, the
 * workspace packages resolved through their exports maps): it finds the references of a symbol, not
 * of a name, so a method is not "called" because another class has one of the same name.
 */
function languageService(files: string[]): ts.LanguageService {
  const config = ts.readConfigFile(path.join(ROOT, 'tsconfig.json'), (f) => ts.sys.readFile(f));
  const options = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT).options;
  return ts.createLanguageService({
    getScriptFileNames: () => files,
    getScriptVersion: () => '0',
    getScriptSnapshot: (f) => {
      const text = ts.sys.readFile(f);
      return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
    },
    getCurrentDirectory: () => ROOT,
    getCompilationSettings: () => options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
    realpath: ts.sys.realpath,
  });
}

const service = languageService(productFiles);

/** Whether product code refers to the method anywhere but in its own declaration. */
function isCalled(method: Method): boolean {
  const name = (method.node as ts.MethodDeclaration).name;
  const references = service.findReferences(method.file, name.getStart()) ?? [];
  return references
    .flatMap((r) => r.references)
    .some((r) => !r.isDefinition && productFiles.includes(r.fileName));
}

const TOOLS = ['git', 'helm', 'docker', 'kind', 'kubectl'];

/** `runTool`/`execa` calls whose command is one of TOOLS by name, as `file: tool`. */
function directToolRuns(): string[] {
  const found: string[] = [];
  for (const source of parsed) {
    const visit = (node: ts.Node): void => {
      if (ts.isCallExpression(node) && ['runTool', 'execa'].includes(node.expression.getText(source))) {
        const literals: string[] = [];
        const collect = (n: ts.Node): void => {
          if (ts.isStringLiteral(n) && TOOLS.includes(n.text)) literals.push(n.text);
          ts.forEachChild(n, collect);
        };
        if (node.arguments[0]) collect(node.arguments[0]);
        for (const tool of literals) found.push(`${path.relative(ROOT, source.fileName)}: ${tool}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

describe('product code', () => {
  test('each tool is run by its own client in actions/lib, and by nothing else', () => {
    const runs = directToolRuns();
    expect(runs.length).toBeGreaterThan(0);
    const elsewhere = runs.filter((run) => {
      const [file, tool] = run.split(': ');
      return file !== `actions/lib/src/${tool}.ts`;
    });
    expect(elsewhere).toEqual([]);
  });

  test('the library has tool clients to look at', () => {
    expect(clientMethods.map((m) => m.owner)).toEqual(
      expect.arrayContaining(['DockerClient', 'KindClient', 'HelmClient', 'GitClient']),
    );
  });

  test('every public method of a tool client is used by an action, the CLI or the library', () => {
    const unused = clientMethods.filter((m) => !isCalled(m)).map((m) => `${m.owner}.${m.name}`);
    expect(unused).toEqual([]);
  });
});
