/** mappings/README.md is the mapping reference: it must stay true to the registry and the catalogue. */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { fieldCatalogue } from '../../src/mapping/field-catalogue.js'
import { functionRegistry } from '../../src/mapping/function-registry.js'

const readme = readFileSync(new URL('../../mappings/README.md', import.meta.url), 'utf8')

describe('mappings/README.md', () => {
  it('documents every function of the registry with its parameters', () => {
    for (const [name, fn] of Object.entries(functionRegistry)) {
      const params = fn.params.map((p) => (p.kind === 'any' ? p.name : `${p.name}: ${p.kind}`))
      const signature = `\`${name}(${params.join(', ')}${'variadic' in fn ? ', …' : ''})\``
      expect(readme, signature).toContain(signature)
    }
  })

  it('lists every emit type with all of its fields, required ones in bold', () => {
    for (const [type, fields] of Object.entries(fieldCatalogue)) {
      const line = readme
        .split('\n')
        .find((l) => new RegExp(`^\\| \`${type.replace('.', '\\.')}\` +\\|`).test(l))
      expect(line, type).toBeDefined()
      for (const [name, spec] of Object.entries(fields)) {
        if (name === 'eventId' || name === 'time') continue
        expect(line, `${type}.${name}`).toMatch(
          new RegExp(spec.required ? `\\*\\*${name}\\*\\*` : `[ ,|]${name}[ ,(|]`),
        )
      }
    }
  })
})
