import { describe, expect, expectTypeOf, it } from 'vitest'
import type { kritor } from '../../gen/kritor/1.0.3/kritor.js'
import type { services } from '../../gen/kritor/1.0.3/services.js'
import {
  isUnimplemented,
  type RequestOf,
  type ServiceImpl,
  unimplemented,
} from '../../src/kritor/service-impl.js'

type Core = (typeof services)['kritor.core.CoreService']

describe('ServiceImpl', () => {
  it('types requests and responses from the generated table', () => {
    expectTypeOf<RequestOf<Core['GetCurrentAccount']>>().toEqualTypeOf<kritor.core.GetCurrentAccountRequest>()
  })

  it('fails the build when a method is missing, and accepts an explicit unimplemented', () => {
    // @ts-expect-error DownloadFile, SwitchAccount and GetVersion are missing
    const partial: ServiceImpl<Core> = { GetCurrentAccount: async () => ({}) }
    const full: ServiceImpl<Core> = {
      GetCurrentAccount: async () => ({}),
      GetVersion: async () => ({}),
      DownloadFile: unimplemented('no'),
      SwitchAccount: unimplemented('no'),
    }
    expect(isUnimplemented(full.DownloadFile)).toBe(true)
    expect(isUnimplemented(partial.GetCurrentAccount)).toBe(false)
  })
})
