import { describe, expect, it } from 'vitest'
import { planKookMessages } from '../../src/content/plan-kook-messages.js'
import { isKookAssetUrl, renderKookMessages } from '../../src/content/render-kook-messages.js'
import type { Element, MediaElement } from '../../src/model/element.js'

const HOSTED = 'https://img.kookapp.cn/assets/2025-01/a.png'

function fakeUpload() {
  const uploaded: string[] = []
  return {
    uploaded,
    upload: async (media: MediaElement) => {
      uploaded.push(media.url)
      return `https://img.kookapp.cn/assets/up/${uploaded.length}.${media.type}`
    },
  }
}

function cardOf(content: string): Array<{ modules: Array<Record<string, unknown>> }> {
  return JSON.parse(content)
}

describe('planKookMessages', () => {
  it('sends text, a mention and a reply as one KMarkdown message quoting the reply', () => {
    const elements: Element[] = [
      { type: 'reply', messageId: 'fcf3d4f5-f033-4ed4-87af-3425b64de85e' },
      { type: 'mention', kind: 'user', id: '1875604312' },
      { type: 'text', text: ' 收到 (8:00) *准时*' },
    ]
    expect(planKookMessages(elements, { scene: 'channel' })).toEqual([
      {
        type: 9,
        content: '(met)1875604312(met) 收到 \\(8\\:00\\) \\*准时\\*',
        quote: 'fcf3d4f5-f033-4ed4-87af-3425b64de85e',
      },
    ])
  })

  it('sends DMs with an explicit type 9 (the DM API defaults to type 1, which shows tags raw)', () => {
    expect(
      planKookMessages(
        [
          { type: 'mention', kind: 'user', id: '1' },
          { type: 'text', text: ' hi' },
        ],
        { scene: 'direct' },
      ),
    ).toEqual([{ type: 9, content: '(met)1(met) hi' }])
  })

  it('sends a lone image as type 2', () => {
    expect(
      planKookMessages(
        [
          { type: 'image', url: HOSTED },
          { type: 'text', text: '  ' },
        ],
        { scene: 'channel' },
      ),
    ).toEqual([{ type: 2, content: HOSTED }])
  })

  it('puts an image with text into one card, in element order', () => {
    const [send, ...rest] = planKookMessages(
      [
        { type: 'text', text: 'look:' },
        { type: 'image', url: HOSTED },
        { type: 'image', url: `${HOSTED}?2` },
        { type: 'text', text: 'nice' },
      ],
      { scene: 'channel' },
    )
    expect(rest).toEqual([])
    expect(send?.type).toBe(10)
    expect(cardOf(send?.content ?? '[]')[0]?.modules).toEqual([
      { type: 'section', text: { type: 'kmarkdown', content: 'look\\:' } },
      {
        type: 'container',
        elements: [
          { type: 'image', src: HOSTED },
          { type: 'image', src: `${HOSTED}?2` },
        ],
      },
      { type: 'section', text: { type: 'kmarkdown', content: 'nice' } },
    ])
  })

  it('sends files, audio and video as card modules', () => {
    const [send] = planKookMessages(
      [
        { type: 'file', url: 'https://img.kookapp.cn/attachments/%E5%91%A8%E6%8A%A5.pdf' },
        { type: 'audio', url: 'https://img.kookapp.cn/v.m4a', name: 'voice' },
        { type: 'video', url: 'https://img.kookapp.cn/c.mp4', name: 'clip' },
      ],
      { scene: 'direct' },
    )
    expect(send?.type).toBe(10)
    expect(cardOf(send?.content ?? '[]')[0]?.modules).toEqual([
      { type: 'file', title: '周报.pdf', src: 'https://img.kookapp.cn/attachments/%E5%91%A8%E6%8A%A5.pdf' },
      { type: 'audio', title: 'voice', src: 'https://img.kookapp.cn/v.m4a' },
      { type: 'video', title: 'clip', src: 'https://img.kookapp.cn/c.mp4' },
    ])
  })

  it('turns buttons into action groups of at most four', () => {
    const buttons = Array.from({ length: 5 }, (_, i) => ({
      text: `b${i}`,
      action: 'return' as const,
      value: `v${i}`,
    }))
    const [send] = planKookMessages(
      [
        {
          type: 'buttons',
          buttons: [...buttons, { text: 'web', action: 'link', value: 'https://kookapp.cn' }],
        },
      ],
      {
        scene: 'channel',
      },
    )
    const modules = cardOf(send?.content ?? '[]')[0]?.modules ?? []
    expect(modules.map((m) => (m['elements'] as unknown[]).length)).toEqual([4, 2])
    const secondGroup = (modules[1]?.['elements'] ?? []) as unknown[]
    expect(secondGroup[1]).toEqual({
      type: 'button',
      theme: 'primary',
      value: 'https://kookapp.cn',
      click: 'link',
      text: { type: 'plain-text', content: 'web' },
    })
  })

  it('sends a raw card as its own message, between the text before and after it', () => {
    const json = '[{"type":"card","modules":[]}]'
    expect(
      planKookMessages(
        [
          { type: 'reply', messageId: 'm1' },
          { type: 'text', text: 'a' },
          { type: 'card', json },
          { type: 'text', text: 'b' },
        ],
        { scene: 'channel' },
      ),
    ).toEqual([
      { type: 9, content: 'a', quote: 'm1' },
      { type: 10, content: json },
      { type: 9, content: 'b' },
    ])
  })

  it('sends nothing for nothing', () => {
    expect(
      planKookMessages(
        [
          { type: 'reply', messageId: 'm1' },
          { type: 'text', text: '' },
        ],
        { scene: 'channel' },
      ),
    ).toEqual([])
  })
})

describe('renderKookMessages', () => {
  it('uploads a foreign image first, then sends it as type 2', async () => {
    const { uploaded, upload } = fakeUpload()
    expect(
      await renderKookMessages([{ type: 'image', url: 'https://example.com/cat.png' }], {
        scene: 'channel',
        upload,
      }),
    ).toEqual([{ type: 2, content: 'https://img.kookapp.cn/assets/up/1.image' }])
    expect(uploaded).toEqual(['https://example.com/cat.png'])
  })

  it('does not upload media KOOK already hosts, and uploads the same source once', async () => {
    const { uploaded, upload } = fakeUpload()
    const sends = await renderKookMessages(
      [
        { type: 'image', url: HOSTED },
        { type: 'image', url: 'file:///tmp/x.png' },
        { type: 'file', url: 'file:///tmp/x.png' },
      ],
      { scene: 'channel', upload },
    )
    expect(uploaded).toEqual(['file:///tmp/x.png'])
    const modules = cardOf(sends[0]?.content ?? '[]')[0]?.modules
    expect(modules).toEqual([
      {
        type: 'container',
        elements: [
          { type: 'image', src: HOSTED },
          { type: 'image', src: 'https://img.kookapp.cn/assets/up/1.image' },
        ],
      },
      { type: 'file', title: '1.image', src: 'https://img.kookapp.cn/assets/up/1.image' },
    ])
  })

  it('uploads bytes even with a hosted-looking URL, and lets the caller say what is hosted', async () => {
    const { uploaded, upload } = fakeUpload()
    const isHosted = (url: string) => url.startsWith('http://127.0.0.1:')
    await renderKookMessages(
      [
        { type: 'image', url: 'http://127.0.0.1:9000/assets/a.png' },
        { type: 'image', url: HOSTED, data: new Uint8Array([1]) },
      ],
      { scene: 'channel', upload, isHosted },
    )
    expect(uploaded).toEqual([HOSTED])
  })

  it('fails the whole send when an upload fails', async () => {
    const upload = async () => {
      throw new Error('asset/create refused')
    }
    await expect(
      renderKookMessages([{ type: 'image', url: 'https://example.com/a.png' }], { scene: 'channel', upload }),
    ).rejects.toThrow('asset/create refused')
  })

  it('knows KOOK asset hosts', () => {
    expect(isKookAssetUrl('https://img.kookapp.cn/assets/a.png')).toBe(true)
    expect(isKookAssetUrl('https://img.kaiheila.cn/assets/a.png')).toBe(true)
    expect(isKookAssetUrl('https://img.kookapp.cn.evil.com/a.png')).toBe(false)
  })
})
