// The tools, their keyboard shortcuts, and the palette.
import type { ShapeType } from '../model/shape';

export type Tool = Exclude<ShapeType, 'text'> | 'text' | 'eraser' | 'select';

export interface ToolInfo {
  tool: Tool;
  label: string;
  key: string;
  icon: string;
}

export const TOOLS: readonly ToolInfo[] = [
  { tool: 'select', label: 'Select and move', key: 'v', icon: '⬚' },
  { tool: 'pen', label: 'Pen', key: 'p', icon: '✎' },
  { tool: 'line', label: 'Line', key: 'l', icon: '╱' },
  { tool: 'rect', label: 'Rectangle', key: 'r', icon: '▭' },
  { tool: 'ellipse', label: 'Ellipse', key: 'o', icon: '◯' },
  { tool: 'text', label: 'Text', key: 't', icon: 'T' },
  { tool: 'eraser', label: 'Eraser', key: 'e', icon: '⌫' },
];

export const COLORS = ['#1e1e1e', '#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5'];
export const WIDTHS = [2, 4, 8, 16];

export interface ToolSettings {
  tool: Tool;
  color: string;
  width: number;
}
