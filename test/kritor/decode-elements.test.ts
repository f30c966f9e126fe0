import { describe, expect, it } from 'vitest'
import { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import { decodeElements } from '../../src/kritor/decode-elements.js'
import { EmojiFaceIds } from '../../src/kritor/emoji-face-ids.js'

/** Elements as the server sees them: encoded by a client, decoded by the generated decoder. */
function wire(elements: kritor.common.IElement[]): kritor.common.Element[] {
  const bytes = kritor.message.SendMessageRequest.encode({ elements }).finish()
  return kritor.message.SendMessageRequest.decode(bytes).elements
}

const T = kritor.common.Element.ElementType

describe('decodeElements', () => {
  it('follows the data member even when type was left at its zero value', () => {
    const faceIds = new EmojiFaceIds()
    expect(decodeElements(wire([{ image: { file_url: 'https://example.com/a.png' } }]), { faceIds })).toEqual(
      [{ type: 'image', url: 'https://example.com/a.png' }],
    )
  })

  it('turns file_path into a file:// URL for the media loader, and refuses a relative one', () => {
    const faceIds = new EmojiFaceIds()
    expect(
      decodeElements(wire([{ type: T.VOICE, voice: { file_path: '/srv/media/a b.m4a' } }]), { faceIds }),
    ).toEqual([{ type: 'audio', url: 'file:///srv/media/a%20b.m4a' }])
    expect(() =>
      decodeElements(wire([{ type: T.VIDEO, video: { file_path: 'media/a.mp4' } }]), { faceIds }),
    ).toThrow(/elements\[0\] \(video\): file_path must be an absolute path/)
  })

  it('reads JSON as a card when it is one, as text otherwise', () => {
    const faceIds = new EmojiFaceIds()
    const card = { type: 'card', modules: [{ type: 'section', text: 'hi' }] }
    expect(
      decodeElements(
        wire([
          { type: T.JSON, json: { json: JSON.stringify(card) } },
          { type: T.JSON, json: { json: '{"a":1}' } },
        ]),
        {
          faceIds,
        },
      ),
    ).toEqual([
      { type: 'card', json: JSON.stringify([card]) },
      { type: 'text', text: '{"a":1}' },
    ])
  })

  it('turns a keyboard into buttons: action 0 = link, 1/2 = return value', () => {
    const faceIds = new EmojiFaceIds()
    const keyboard = {
      rows: [
        {
          buttons: [
            {
              id: 'a',
              render_data: { label: 'Docs', style: 0 },
              action: { type: 0, data: 'https://kookapp.cn' },
            },
            { id: 'b', render_data: { label: 'Vote', style: 1 }, action: { type: 2, data: '/vote yes' } },
          ],
        },
      ],
    }
    expect(decodeElements(wire([{ type: T.KEYBOARD, keyboard }]), { faceIds })).toEqual([
      {
        type: 'buttons',
        buttons: [
          { text: 'Docs', action: 'link', value: 'https://kookapp.cn', theme: 'secondary' },
          { text: 'Vote', action: 'return', value: '/vote yes', theme: 'primary' },
        ],
      },
    ])
  })

  it('falls back to text for SHARE, LOCATION and custom MUSIC', () => {
    const faceIds = new EmojiFaceIds()
    expect(
      decodeElements(
        wire([
          { type: T.SHARE, share: { url: 'https://a.example', title: 'A', content: 'about a' } },
          {
            type: T.MUSIC,
            music: { platform: 10, custom: { title: 'Song', author: 'Band', url: 'https://m.example' } },
          },
        ]),
        { faceIds },
      ),
    ).toEqual([
      { type: 'text', text: 'A\nabout a\nhttps://a.example' },
      { type: 'text', text: 'Song - Band\nhttps://m.example' },
    ])
  })

  it('maps FACE back to the emoji a reaction notice numbered, guild emoji included', () => {
    const faceIds = new EmojiFaceIds()
    const party = faceIds.faceIdOf('3987615236490215/Xb7kPq2m3w')
    expect(
      decodeElements(
        wire([
          { type: T.FACE, face: { id: party } },
          { type: T.FACE, face: { id: 128077 } },
        ]),
        { faceIds },
      ),
    ).toEqual([
      { type: 'emoji', kind: 'guild', id: '3987615236490215/Xb7kPq2m3w' },
      { type: 'emoji', kind: 'unicode', id: '👍' },
    ])
  })
})
