import type { SimParams } from './sim-params.js'

/** KOOK's page size cap for paginated lists (kook.md §5). */
export const MAX_PAGE_SIZE = 50

/**
 * KOOK's page-based pagination: `page` (1-based) and `page_size` (default and max 50) in, and
 * `{items, meta: {page, page_total, page_size, total}, sort: {}}` out.
 */
export function paginate<T>(
  items: readonly T[],
  params: SimParams,
): {
  items: T[]
  meta: { page: number; page_total: number; page_size: number; total: number }
  sort: Record<string, never>
} {
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, params.int('page_size', MAX_PAGE_SIZE)))
  const page = Math.max(1, params.int('page', 1))
  const start = (page - 1) * pageSize
  return {
    items: items.slice(start, start + pageSize),
    meta: { page, page_total: Math.ceil(items.length / pageSize), page_size: pageSize, total: items.length },
    sort: {},
  }
}
