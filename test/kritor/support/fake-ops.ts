/**
 * An in-test OperationRunner: records every operation and answers with canned results. An operation
 * without a canned result fails with NOT_FOUND, as the real executor does for unknown ids.
 */
import { BridgeError, ErrorCode } from '../../../src/errors/bridge-error.js'
import type {
  Operation,
  OperationResult,
  OperationResults,
  OperationRunner,
} from '../../../src/model/operation.js'

type Handlers = {
  [K in keyof OperationResults]?: (
    op: Extract<Operation, { op: K }>,
  ) => OperationResults[K] | Promise<OperationResults[K]>
}

export class FakeOps implements OperationRunner {
  readonly calls: Operation[] = []
  readonly handlers: Handlers

  constructor(handlers: Handlers = {}) {
    this.handlers = handlers
  }

  async run<O extends Operation>(op: O): Promise<OperationResult<O>> {
    this.calls.push(op)
    const handler = this.handlers[op.op] as
      | ((op: O) => OperationResult<O> | Promise<OperationResult<O>>)
      | undefined
    if (!handler) throw new BridgeError(ErrorCode.NotFound, `no canned result for ${op.op}`)
    return handler(op)
  }

  ops<K extends Operation['op']>(name: K): Array<Extract<Operation, { op: K }>> {
    return this.calls.filter((c): c is Extract<Operation, { op: K }> => c.op === name)
  }
}
