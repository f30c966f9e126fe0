import { describe, expect, it } from 'vitest'
import { type CardProblem, parseCard } from '../../src/content/parse-card.js'

function card(modules: unknown[]): string {
  return JSON.stringify([{ type: 'card', theme: 'secondary', size: 'lg', modules }])
}

describe('parseCard', () => {
  it('keeps the card and recovers its text, images, media and buttons in order', () => {
    const json = card([
      { type: 'header', text: { type: 'plain-text', content: '周报' } },
      { type: 'section', text: { type: 'kmarkdown', content: '请查收 (met)2418239356(met)' } },
      { type: 'container', elements: [{ type: 'image', src: 'https://img.kookapp.cn/a.png' }] },
      { type: 'file', title: '周报.pdf', src: 'https://img.kookapp.cn/w1.pdf', size: 283731 },
      {
        type: 'audio',
        title: 'voice',
        src: 'https://img.kookapp.cn/v.m4a',
        cover: 'https://img.kookapp.cn/c.png',
      },
      { type: 'video', title: 'clip', src: 'https://img.kookapp.cn/v.mp4' },
      {
        type: 'action-group',
        elements: [
          {
            type: 'button',
            theme: 'primary',
            value: 'ok',
            click: 'return-val',
            text: { type: 'plain-text', content: '同意' },
          },
          { type: 'button', theme: 'danger', value: 'https://kookapp.cn', click: 'link', text: '打开' },
        ],
      },
    ])
    const parts = { mention_part: [{ id: '2418239356', username: 'Bob' }] }
    expect(parseCard(json, undefined, parts)).toEqual([
      { type: 'card', json },
      { type: 'text', text: '周报\n请查收 ' },
      { type: 'mention', kind: 'user', id: '2418239356', name: 'Bob' },
      { type: 'image', url: 'https://img.kookapp.cn/a.png' },
      { type: 'file', url: 'https://img.kookapp.cn/w1.pdf', name: '周报.pdf', size: 283731 },
      { type: 'audio', url: 'https://img.kookapp.cn/v.m4a', name: 'voice' },
      { type: 'video', url: 'https://img.kookapp.cn/v.mp4', name: 'clip' },
      {
        type: 'buttons',
        buttons: [
          { text: '同意', action: 'return', value: 'ok', theme: 'primary' },
          { text: '打开', action: 'link', value: 'https://kookapp.cn', theme: 'danger' },
        ],
      },
    ])
  })

  it('reads paragraphs, context modules and section accessories', () => {
    const json = card([
      {
        type: 'section',
        text: { type: 'paragraph', cols: 2, fields: [{ type: 'kmarkdown', content: '**A**' }, 'B'] },
        accessory: { type: 'image', src: 'https://img.kookapp.cn/s.png', alt: 'shot' },
      },
      { type: 'divider' },
      {
        type: 'context',
        elements: [
          { type: 'plain-text', content: 'by' },
          { type: 'image', src: 'https://img.kookapp.cn/i.png' },
        ],
      },
    ])
    expect(parseCard(json).slice(1)).toEqual([
      { type: 'text', text: '**A**\nB' },
      { type: 'image', url: 'https://img.kookapp.cn/s.png', name: 'shot' },
      { type: 'text', text: '\nby' },
      { type: 'image', url: 'https://img.kookapp.cn/i.png' },
    ])
  })

  it('never throws on bad JSON: the card element alone, and the problem counted', () => {
    const problems: CardProblem[] = []
    expect(parseCard('[{"type":"card",', (p) => problems.push(p))).toEqual([
      { type: 'card', json: '[{"type":"card",' },
    ])
    expect(parseCard('"just a string"', (p) => problems.push(p))).toEqual([
      { type: 'card', json: '"just a string"' },
    ])
    expect(parseCard('[{"type":"card","modules":7}, null]', (p) => problems.push(p))).toHaveLength(1)
    expect(problems).toEqual([
      'card_invalid_json',
      'card_invalid_shape',
      'card_invalid_shape',
      'card_invalid_shape',
    ])
  })

  it('accepts a lone card object and skips modules it cannot read', () => {
    const json = JSON.stringify({
      type: 'card',
      modules: [
        { type: 'countdown', endTime: 1 },
        42,
        { type: 'image-group', elements: [{ type: 'image' }] },
      ],
    })
    expect(parseCard(json)).toEqual([{ type: 'card', json }])
  })
})
