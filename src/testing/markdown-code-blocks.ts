/**
 * The fenced code blocks of a Markdown file, with the line each opens on and the
 * `<!-- readme-test: … -->` note written just above it (blank lines between are allowed), so a
 * test can run every example of a document and say where a broken one is.
 */

export interface CodeBlock {
  /** The info string's first word: `js`, `python`, `sh`, `yaml`…; empty for a bare fence. */
  language: string;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The text of a `<!-- readme-test: NOTE -->` comment right above the block, if any. */
  note: string | undefined;
}

const NOTE = /^<!--\s*readme-test:\s*(.*?)\s*-->$/;
// CommonMark fences: three or more backticks or tildes, closed by at least as many of the same.
const OPENING = /^(`{3,}|~{3,})\s*([^\s`]*)/;

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  let note: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    const text = lines[index]!;
    const noteMatch = NOTE.exec(text.trim());
    if (noteMatch) {
      note = noteMatch[1];
      continue;
    }
    const opening = OPENING.exec(text);
    if (!opening) {
      if (text.trim() !== '') note = undefined;
      continue;
    }
    const fence = opening[1]!;
    const openingLine = index + 1;
    const body: string[] = [];
    let closed = false;
    for (index++; index < lines.length; index++) {
      const line = lines[index]!;
      if (line.startsWith(fence[0]!.repeat(fence.length)) && line.trim().replaceAll(fence[0]!, '') === '') {
        closed = true;
        break;
      }
      body.push(line);
    }
    if (!closed) throw new Error(`the code block opened at line ${openingLine} is never closed`);
    blocks.push({ language: opening[2]!.toLowerCase(), code: body.join('\n') + '\n', line: openingLine, note });
    note = undefined;
  }
  return blocks;
}
