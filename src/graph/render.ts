// One entry point for the static export formats of `nslab graph`. PURE.
import { assertNever } from '../util/assert-never.js';
import { renderDot } from './dot.js';
import { renderMermaid } from './mermaid.js';
import type { GraphModel } from './model.js';
import { renderSvg } from './svg.js';

/** The formats `nslab graph --format` knows. */
export const GRAPH_FORMATS = ['svg', 'mermaid', 'dot'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

/** A lab's picture as text in one of the export formats. */
export function renderGraph(g: GraphModel, format: GraphFormat): string {
  switch (format) {
    case 'svg':
      return renderSvg(g);
    case 'mermaid':
      return renderMermaid(g);
    case 'dot':
      return renderDot(g);
    default:
      return assertNever(format);
  }
}
