// HTML for the pages the export writes itself (one per micrograph): a tagged template that
// escapes every interpolated value, as Astro does, unless it is wrapped in raw() (markup we made).

const ESCAPES: Record<string, string> = {'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c])
}

/** Markup that is inserted as it is (built with `html`, or SVG we generated). */
export class Raw {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html
  }
}

export const raw = (markup: string): Raw => new Raw(markup)

/** A value in a template: text (escaped), markup (Raw), nothing (null, undefined, false) or a list of these. */
export type Html = string | number | Raw | null | undefined | false | Html[]

function render(value: Html): string {
  if (value === null || value === undefined || value === false) return ''
  if (value instanceof Raw) return value.html
  if (Array.isArray(value)) return value.map(render).join('')
  return escapeHtml(String(value))
}

/** html`<p>${name}</p>`: interpolations are escaped; the result is Raw, so templates nest. */
export function html(strings: TemplateStringsArray, ...values: Html[]): Raw {
  let out = strings[0]
  for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1]
  return new Raw(out)
}
