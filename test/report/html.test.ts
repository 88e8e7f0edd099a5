import {describe, expect, it} from 'vitest'
import {escapeHtml, html, raw} from '../../controller/report/html.js'

describe('html', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const name = `<img src=x onerror="alert('1')">&`
    expect(html`<p title="${name}">${name}</p>`.html).toBe(
      '<p title="&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;">&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt;&amp;</p>',
    )
    expect(escapeHtml('a < b && c')).toBe('a &lt; b &amp;&amp; c')
  })

  it('inserts nested templates and raw markup as they are, lists joined, nothing for null and false', () => {
    const items = ['<a>', 'b'].map((x) => html`<li>${x}</li>`)
    expect(html`<ul>${items}</ul>${null}${undefined}${false}${0}${raw('<svg></svg>')}`.html).toBe('<ul><li>&lt;a&gt;</li><li>b</li></ul>0<svg></svg>')
  })
})
