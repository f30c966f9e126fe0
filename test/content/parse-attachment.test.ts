import { describe, expect, it } from 'vitest'
import { parseAttachment } from '../../src/content/parse-attachment.js'

describe('parseAttachment', () => {
  it('makes one media element of the message type, with the attachment details', () => {
    expect(
      parseAttachment(3, 'https://img.kookapp.cn/v.mp4', {
        type: 'video',
        url: 'https://img.kookapp.cn/v.mp4',
        name: 'clip.mp4',
        file_type: 'video/mp4',
        size: 722882,
        duration: 15.673,
        width: 360,
        height: 635,
      }),
    ).toEqual([
      {
        type: 'video',
        url: 'https://img.kookapp.cn/v.mp4',
        name: 'clip.mp4',
        size: 722882,
        mime: 'video/mp4',
        duration: 15.673,
      },
    ])
    expect(parseAttachment(2, 'https://img.kookapp.cn/a.png', { width: 10, height: 20 })).toEqual([
      { type: 'image', url: 'https://img.kookapp.cn/a.png', width: 10, height: 20 },
    ])
  })

  it('falls back to the content URL and never fails on missing details', () => {
    expect(parseAttachment(8, 'https://img.kookapp.cn/a.m4a', undefined)).toEqual([
      { type: 'audio', url: 'https://img.kookapp.cn/a.m4a' },
    ])
    expect(parseAttachment(7, 'what is this', null)).toEqual([{ type: 'text', text: 'what is this' }])
    expect(parseAttachment(2, undefined, undefined)).toEqual([])
  })
})
