/**
 * The mapping table's expression language: small, side-effect free and checkable before any event
 * arrives. Grammar (whitespace is free between tokens):
 *
 *   expr     := primary ( '??' primary )*          first operand that is not null/undefined
 *   primary  := call | path | special | ref | literal | '(' expr ')'
 *   call     := name '(' [ expr ( ',' expr )* ] ')'  a function of the registry
 *   path     := segment ( '.' segment )*             into the KOOK event `d`, e.g. extra.body.user_id
 *   segment  := [A-Za-z_][A-Za-z0-9_]* | [0-9]+      (array index)
 *   special  := '$item' ( '.' segment )*             the current element of a forEach row
 *             | '$index'                             its position (0-based)
 *             | '$selfId'                            the bot's own user id (mapping context)
 *   ref      := '@' name                             another output field of the same row
 *   literal  := 'text' | "text" | number | true | false | null
 *
 * The parser only checks syntax; names, arity and kinds are checked by `check-row.ts`.
 */

export type Literal = string | number | boolean | null

export type Expr =
  | { kind: 'path'; root: 'event' | 'item'; segments: ReadonlyArray<string | number> }
  | { kind: 'index' }
  | { kind: 'selfId' }
  | { kind: 'ref'; name: string }
  | { kind: 'literal'; value: Literal }
  | { kind: 'call'; name: string; args: Expr[] }
  | { kind: 'coalesce'; options: Expr[] }

export type ParseResult = { ok: true; expr: Expr } | { ok: false; message: string; column: number }

/** Segment names that would reach into JavaScript's object machinery instead of KOOK data. */
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'prototype', 'constructor'])

const IDENT_RE = /[A-Za-z_][A-Za-z0-9_]*/y
const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y
const INDEX_RE = /[0-9]+/y

class ExpressionSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message)
  }
}

class Parser {
  pos = 0
  constructor(readonly src: string) {}

  fail(message: string, at = this.pos): never {
    throw new ExpressionSyntaxError(message, at + 1)
  }

  skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos] ?? '')) this.pos++
  }

  peek(s: string): boolean {
    this.skip()
    return this.src.startsWith(s, this.pos)
  }

  eat(s: string): boolean {
    if (!this.peek(s)) return false
    this.pos += s.length
    return true
  }

  sticky(re: RegExp): string | undefined {
    re.lastIndex = this.pos
    const m = re.exec(this.src)
    if (m === null) return undefined
    this.pos += m[0].length
    return m[0]
  }

  describeHere(): string {
    return this.pos >= this.src.length ? 'end of expression' : `"${this.src.slice(this.pos, this.pos + 12)}"`
  }

  expr(): Expr {
    const first = this.primary()
    if (!this.peek('??')) return first
    const options = [first]
    while (this.eat('??')) options.push(this.primary())
    return { kind: 'coalesce', options }
  }

  segments(): Array<string | number> {
    const segments: Array<string | number> = []
    while (this.src[this.pos] === '.') {
      this.pos++
      const start = this.pos
      const ident = this.sticky(IDENT_RE)
      if (ident !== undefined) {
        if (FORBIDDEN_SEGMENTS.has(ident)) this.fail(`path segment "${ident}" is not allowed`, start)
        segments.push(ident)
        continue
      }
      const index = this.sticky(INDEX_RE)
      if (index !== undefined) {
        segments.push(Number(index))
        continue
      }
      this.fail('expected a field name or an array index after "."', start)
    }
    return segments
  }

  primary(): Expr {
    this.skip()
    const start = this.pos
    const c = this.src[this.pos]
    if (c === undefined) this.fail('expected a value, found the end of the expression')
    if (c === '(') {
      this.pos++
      const inner = this.expr()
      if (!this.eat(')')) this.fail(`expected ")", found ${this.describeHere()}`)
      return inner
    }
    if (c === "'" || c === '"') return { kind: 'literal', value: this.string(c) }
    if (c === '@') {
      this.pos++
      const name = this.sticky(IDENT_RE)
      if (name === undefined) this.fail('expected a field name after "@"')
      return { kind: 'ref', name }
    }
    if (c === '$') {
      this.pos++
      const name = this.sticky(IDENT_RE)
      if (name === 'item') return { kind: 'path', root: 'item', segments: this.segments() }
      if (name === 'index') return { kind: 'index' }
      if (name === 'selfId') return { kind: 'selfId' }
      this.fail(`unknown special name "$${name ?? ''}" (known: $item, $index, $selfId)`, start)
    }
    if (c === '-' || (c >= '0' && c <= '9')) {
      const n = this.sticky(NUMBER_RE)
      if (n === undefined) this.fail('malformed number')
      return { kind: 'literal', value: Number(n) }
    }
    const ident = this.sticky(IDENT_RE)
    if (ident === undefined) this.fail(`unexpected ${this.describeHere()}`)
    if (this.peek('(')) {
      this.pos++
      const args: Expr[] = []
      if (!this.eat(')')) {
        do args.push(this.expr())
        while (this.eat(','))
        if (!this.eat(')'))
          this.fail(`expected "," or ")" in the arguments of ${ident}(), found ${this.describeHere()}`)
      }
      return { kind: 'call', name: ident, args }
    }
    if (this.src[this.pos] !== '.') {
      if (ident === 'true') return { kind: 'literal', value: true }
      if (ident === 'false') return { kind: 'literal', value: false }
      if (ident === 'null') return { kind: 'literal', value: null }
    }
    if (FORBIDDEN_SEGMENTS.has(ident)) this.fail(`path segment "${ident}" is not allowed`, start)
    return { kind: 'path', root: 'event', segments: [ident, ...this.segments()] }
  }

  string(quote: string): string {
    const start = this.pos
    this.pos++
    let out = ''
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]
      if (c === quote) {
        this.pos++
        return out
      }
      if (c === '\\') {
        const next = this.src[this.pos + 1]
        if (next === undefined) break
        out += next
        this.pos += 2
        continue
      }
      out += c
      this.pos++
    }
    return this.fail('unterminated string literal', start)
  }
}

export function parseExpression(source: string): ParseResult {
  const parser = new Parser(source)
  try {
    const expr = parser.expr()
    parser.skip()
    if (parser.pos < source.length) parser.fail(`unexpected ${parser.describeHere()} after the expression`)
    return { ok: true, expr }
  } catch (err) {
    if (err instanceof ExpressionSyntaxError) return { ok: false, message: err.message, column: err.column }
    throw err
  }
}

/** Renders an expression back to source form (for explain output and messages). */
export function formatExpression(expr: Expr): string {
  switch (expr.kind) {
    case 'path': {
      const tail = expr.segments.map((s) => `.${s}`).join('')
      return expr.root === 'item' ? `$item${tail}` : tail.slice(1)
    }
    case 'index':
      return '$index'
    case 'selfId':
      return '$selfId'
    case 'ref':
      return `@${expr.name}`
    case 'literal':
      return typeof expr.value === 'string' ? `'${expr.value.replace(/['\\]/g, '\\$&')}'` : String(expr.value)
    case 'call':
      return `${expr.name}(${expr.args.map(formatExpression).join(', ')})`
    case 'coalesce':
      return expr.options.map(formatExpression).join(' ?? ')
  }
}
