import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SafeHtml, escapeHtml, html } from '../../../../src/server/ui/html.js'

describe('html template', () => {
  it('escapes every interpolated string', () => {
    const label = `<script>alert("x")</script>&'`
    assert.equal(html`<td>${label}</td>`.text, `<td>${escapeHtml(label)}</td>`)
    assert.ok(!html`<td>${label}</td>`.text.includes('<script>'))
  })

  it('escapes quotes so a value cannot leave an attribute', () => {
    const out = html`<a title="${'" onmouseover="x'}">`.text
    assert.equal(out, '<a title="&quot; onmouseover=&quot;x">')
  })

  it('keeps nested templates and arrays of templates as markup, escaping their values', () => {
    const items = ['<a>', 'b&c']
    assert.equal(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`.text, '<ul><li>&lt;a&gt;</li><li>b&amp;c</li></ul>')
  })

  it('renders null, undefined and false as nothing, numbers as text', () => {
    assert.equal(html`[${null}${undefined}${false}${0}${12.5}]`.text, '[012.5]')
  })

  it('passes SafeHtml through unchanged', () => {
    assert.equal(html`${new SafeHtml('<b>x</b>')}`.text, '<b>x</b>')
  })
})
