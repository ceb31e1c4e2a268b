/** The font every figure's text is set in (resvg finds it among the system fonts). */
export const FONT = 'DejaVu Sans';

/** Text escaped for an SVG element or attribute. */
export const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
