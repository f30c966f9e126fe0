import type { KookSimulator } from '../../../src/kook/simulator/kook-simulator.js'

// biome-ignore lint/suspicious/noExplicitAny: tests read KOOK's loosely shaped JSON by path.
type AnyJson = any

export interface ApiAnswer<T = AnyJson> {
  status: number
  headers: Headers
  body: { code: number; message: string; data: T }
}

/** Calls the simulator's HTTP API the way a KOOK client would: GET with a query, POST with JSON. */
export async function callApi<T = AnyJson>(
  sim: KookSimulator,
  route: string,
  params: Record<string, unknown> = {},
  options: { method?: 'GET' | 'POST'; token?: string } = {},
): Promise<ApiAnswer<T>> {
  const method =
    options.method ?? (/(^|\/)(index|me|view|list|reaction-list|user-list)$/.test(route) ? 'GET' : 'POST')
  const headers = { Authorization: `Bot ${options.token ?? sim.token}` }
  const url = new URL(`${sim.apiBase}/${route}`)
  let response: Response
  if (method === 'GET') {
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, String(v))
    response = await fetch(url, { headers })
  } else {
    response = await fetch(url, {
      method,
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify(params),
    })
  }
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as ApiAnswer<T>['body'],
  }
}
