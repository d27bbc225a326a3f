// The runtime import graph of a folder's TypeScript, and its circles. Type-only
// imports are left out: they vanish when the code runs, so a circle made of
// them cannot change the order modules load in. Tests (*.test.ts) are left out.
//
//   node --import tsx scripts/import-graph.ts server    prints every circle
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const EXTENSIONS = ['.ts', '.tsx', '/index.ts'];

/** Source files under `root` (recursively), tests excluded; paths relative to the cwd. */
export function sourceFiles(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true })
    .map((f) => path.join(root, String(f)))
    .filter((f) => /\.tsx?$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.endsWith('.d.ts'))
    .sort();
}

/** The relative modules `file` loads when it runs (static imports and re-exports). */
export function runtimeImports(file: string, text = fs.readFileSync(file, 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const out: string[] = [];
  for (const node of source.statements) {
    let specifier: ts.Expression | undefined;
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      if (clause && isTypeOnlyImport(clause)) continue;
      specifier = node.moduleSpecifier;
    } else if (ts.isExportDeclaration(node)) {
      if (node.isTypeOnly || allTypeOnly(node.exportClause)) continue;
      specifier = node.moduleSpecifier;
    }
    if (specifier && ts.isStringLiteral(specifier) && specifier.text.startsWith('.')) {
      const target = resolve(file, specifier.text);
      if (target) out.push(target);
    }
  }
  return out;
}

function isTypeOnlyImport(clause: ts.ImportClause): boolean {
  if (clause.isTypeOnly) return true;
  if (clause.name) return false; // a default import is a value
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && allTypeOnly(bindings);
}

function allTypeOnly(bindings: ts.NamedImports | ts.NamedExportBindings | undefined): boolean {
  if (!bindings || ts.isNamespaceImport(bindings) || ts.isNamespaceExport(bindings)) return false;
  return bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.join(path.dirname(from), specifier);
  for (const candidate of [base, ...EXTENSIONS.map((e) => base + e)]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** Every circle (strongly connected group of two or more files, or a file importing itself). */
export function importCircles(files: readonly string[]): string[][] {
  const edges = new Map(files.map((f) => [f, runtimeImports(f)]));
  // Tarjan's algorithm, iteratively deep enough for any source tree.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let counter = 0;
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of edges.get(file) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || edges.get(file)!.includes(file)) circles.push(group.sort());
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return circles;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const circles = importCircles(sourceFiles(process.argv[2] ?? 'server'));
  for (const circle of circles) console.log(circle.join(' <-> '));
  console.log(`${circles.length} circle(s)`);
  process.exitCode = circles.length > 0 ? 1 : 0;
}
