/**
 * A dashboard page: one module that renders into the element it is given. Adding a page is
 * this interface plus one line in pages/index.ts (which also makes its nav entry).
 */
export interface Page {
  /** The URL fragment: `#/overview`. */
  id: string;
  title: string;
  render(root: HTMLElement): Promise<void>;
}
