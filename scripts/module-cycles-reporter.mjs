// dependency-cruiser reporter plugin: cycles between modules (src/modules/<name>), rule `no-module-cycles`.
// dependency-cruiser finds cycles between files; two modules can depend on each other both ways without any
// file cycle (a/x → b/y, b/z → a/w), so this folds the file graph into a module graph and looks for cycles there.
const moduleOf = (path) => /^src\/modules\/([^/]+)\//.exec(path)?.[1];

/** Module edges a → b (a ≠ b) with one importing file each, for the message. */
function moduleEdges(modules) {
  const edges = new Map();
  for (const file of modules) {
    const from = moduleOf(file.source);
    if (!from) continue;
    for (const dep of file.dependencies) {
      const to = moduleOf(dep.resolved);
      if (to && to !== from && !edges.has(`${from} → ${to}`)) edges.set(`${from} → ${to}`, `${file.source} → ${dep.resolved}`);
    }
  }
  return edges;
}

/** Edges whose target reaches their source again: exactly the edges inside a strongly connected component. */
function cyclicEdges(edges) {
  const next = new Map();
  for (const edge of edges.keys()) {
    const [from, to] = edge.split(' → ');
    next.set(from, [...(next.get(from) ?? []), to]);
  }
  const reaches = (start, goal) => {
    const seen = new Set([start]);
    const todo = [start];
    while (todo.length) {
      const at = todo.pop();
      if (at === goal) return true;
      for (const n of next.get(at) ?? []) if (!seen.has(n) && seen.add(n)) todo.push(n);
    }
    return false;
  };
  return [...edges.keys()].filter((edge) => {
    const [from, to] = edge.split(' → ');
    return reaches(to, from);
  });
}

export default function moduleCyclesReporter(result) {
  // dependency-cruiser first calls a plugin with an empty result to check it is one
  if (!result.modules.length) return { output: '', exitCode: 0 };
  const edges = moduleEdges(result.modules);
  const cyclic = cyclicEdges(edges).sort();
  const lines = cyclic.map((edge) => `  error no-module-cycles: ${edge} closes a cycle between modules (${edges.get(edge)})`);
  const summary = cyclic.length ? `✘ ${cyclic.length} module dependencies close a cycle between modules (no-module-cycles).` : '✔ no cycles between modules.';
  return { output: `${[...lines, summary].join('\n')}\n`, exitCode: cyclic.length };
}
