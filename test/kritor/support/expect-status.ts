import type { ServiceError } from '@grpc/grpc-js'

/** Awaits a call that must fail and returns its gRPC error. */
export async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise
  } catch (error) {
    return error as ServiceError
  }
  throw new Error('the call was expected to fail')
}
