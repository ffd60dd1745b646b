/**
 * Diagrams generated from the machines: Mermaid in Markdown, SVG through Graphviz, and SCXML.
 * `imflow diagrams` writes them to `docs/diagrams/`; `imflow diagrams --check` tells when they
 * no longer match the machines.
 */
export {
  type DotAttributes,
  type DotDecoration,
  renderDot,
  type TransitionCellDecoration,
} from './dot.ts';
export {
  compareDiagrams,
  DEFAULT_DIAGRAMS_DIR,
  type DiagramDrift,
  type DiagramFile,
  generateDiagrams,
  writeDiagrams,
} from './generate.ts';
export {
  INDEX_FILE,
  renderMarkdown,
  renderViewMarkdown,
  transitionNumbers,
} from './markdown.ts';
export {
  escapeMermaid,
  type MermaidOptions,
  mermaidId,
  renderMermaid,
  shortLabels,
} from './mermaid.ts';
export { renderScxml, scxmlId } from './scxml.ts';
export {
  allStates,
  type DiagramState,
  type DiagramTransition,
  describeMachine,
  type MachineDiagram,
} from './structure.ts';
export { renderSvg } from './svg.ts';
export { type DiagramView, diagramViews, regionsOf, TOP_LEVEL, type ViewKind } from './views.ts';
