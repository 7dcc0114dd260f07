/** File lines of config keys, so an error can say `switchboard.yaml:7`. */
import { isMap, isNode, isScalar, type Document, type LineCounter } from 'yaml';

export interface ConfigLines {
  /** Line of the value at `path`, or of its nearest ancestor the file has. */
  valueLine(path: ReadonlyArray<PropertyKey>): number | undefined;
  /** Line of the key `key` inside the mapping at `path` (an unknown key's own line). */
  keyLine(path: ReadonlyArray<PropertyKey>, key: string): number | undefined;
}

export const NO_LINES: ConfigLines = { valueLine: () => undefined, keyLine: () => undefined };

export function configLines(document: Document, lineCounter: LineCounter): ConfigLines {
  const valueLine = (path: ReadonlyArray<PropertyKey>): number | undefined => {
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length) as unknown[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return {
    valueLine,
    keyLine(path, key) {
      const map = path.length === 0 ? document.contents : document.getIn(path as unknown[], true);
      if (isMap(map)) {
        const pair = map.items.find((item) => isScalar(item.key) && item.key.value === key);
        if (pair && isNode(pair.key) && pair.key.range) return lineCounter.linePos(pair.key.range[0]).line;
      }
      return valueLine(path);
    },
  };
}
