import { instance, type Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (no native Graphviz needed). */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= instance();
  const result = (await viz).render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    const messages = result.errors.map((error) => `${error.level ?? 'error'}: ${error.message}`);
    throw new Error(`Graphviz could not render the diagram:\n${messages.join('\n')}`);
  }
  const warnings = result.errors.filter((error) => error.level === 'warning');
  if (warnings.length > 0) {
    throw new Error(
      `Graphviz warned while rendering the diagram:\n${warnings.map((w) => w.message).join('\n')}`,
    );
  }
  return result.output;
}
