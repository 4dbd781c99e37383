// A TypeDoc plugin: groups the API reference by the sections of the entry points. In
// src/index.ts and src/testing/index.ts each `export { ... }` block belongs to the section named by
// the last `// Section` comment above it; every symbol it exports gets `@group Section` (unless
// its own comment names a group), so the reference reads "Client", "Jobs", "Worker", ... rather
// than "Classes", "Interfaces", "Functions".
import { readFileSync } from 'node:fs';
import { Comment, CommentTag, Converter } from 'typedoc';

const ENTRIES = { index: 'src/index.ts', testing: 'src/testing/index.ts' };

/** The section of every name an entry point exports, from its `// Section` comments. */
function sections(file) {
  const text = readFileSync(file, 'utf8');
  const groups = new Map();
  const block = /export\s+(?:type\s+)?\{([^}]*)\}/g;
  for (let match = block.exec(text); match !== null; match = block.exec(text)) {
    const heading = [...text.slice(0, match.index).matchAll(/^\/\/ (.+)$/gm)].pop();
    if (heading === undefined) continue;
    for (const item of match[1].split(',')) {
      const name = item.trim().replace(/^type\s+/, '').split(/\s+as\s+/).pop();
      if (name) groups.set(name, heading[1].trim());
    }
  }
  return groups;
}

function hasGroup(comment) {
  return comment?.blockTags.some((tag) => tag.tag === '@group') ?? false;
}

export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.children ?? []) {
      const file = ENTRIES[module.name];
      if (file === undefined) continue;
      const groups = sections(file);
      for (const reflection of module.children ?? []) {
        const group = groups.get(reflection.name);
        if (group === undefined) {
          app.logger.warn(`${file}: ${reflection.name} is in no section`);
          continue;
        }
        if (hasGroup(reflection.comment) || reflection.signatures?.some((s) => hasGroup(s.comment))) continue;
        reflection.comment ??= new Comment();
        reflection.comment.blockTags.push(new CommentTag('@group', [{ kind: 'text', text: group }]));
      }
    }
  });
}
