/** The Network graph tab (chapter 5's computational graph on the real network). Placeholder: being written. */
export function setupNetgraph(root: HTMLElement): void {
  root.textContent = '';
}
