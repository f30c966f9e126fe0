export type * from './bridge-event.js'
export type * from './element.js'
export { isMedia } from './element.js'
export type * from './operation.js'
