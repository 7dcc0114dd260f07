/**
 * A one-line progress bar on stderr for long runs (training many folds, scoring big files).
 * Drawn only when stderr is a terminal, so logs and pipes stay clean, and redrawn at most ten
 * times a second so it costs nothing measurable.
 */
export interface ProgressBar {
  update(done: number): void;
  finish(): void;
}

interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

const WIDTH = 30;
const REDRAW_MILLISECONDS = 100;

export function createProgressBar(label: string, total: number, stream: ProgressStream = process.stderr): ProgressBar {
  if (!stream.isTTY || total <= 0) return { update() {}, finish() {} };
  let lastDrawn = 0;
  const draw = (done: number): void => {
    const fraction = Math.min(1, done / total);
    const filled = Math.round(fraction * WIDTH);
    stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}] ${done}/${total}`);
  };
  return {
    update(done) {
      const now = Date.now();
      if (now - lastDrawn < REDRAW_MILLISECONDS && done < total) return;
      lastDrawn = now;
      draw(done);
    },
    finish() {
      draw(total);
      stream.write('\n');
    },
  };
}
