/** One part of a `multipart/form-data` body. */
export interface MultipartPart {
  name: string
  filename?: string
  contentType?: string
  data: Buffer
}

const CRLF = Buffer.from('\r\n')
const HEADER_END = Buffer.from('\r\n\r\n')

/**
 * Parses a `multipart/form-data` body (RFC 7578) into its parts. Returns undefined when the content type
 * has no boundary or the body is not well formed: the caller answers with KOOK's code 40000 instead of
 * throwing, whatever a client sends.
 */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType)
  const value = boundary?.[1] ?? boundary?.[2]
  if (!value) return undefined
  const delimiter = Buffer.from(`--${value}`)
  const parts: MultipartPart[] = []
  let at = body.indexOf(delimiter)
  if (at < 0) return undefined
  for (;;) {
    const afterDelimiter = at + delimiter.length
    // `--boundary--` closes the body.
    if (body[afterDelimiter] === 0x2d && body[afterDelimiter + 1] === 0x2d) return parts
    const headerStart = afterDelimiter + CRLF.length
    const headerEnd = body.indexOf(HEADER_END, headerStart)
    if (headerEnd < 0) return undefined
    const next = body.indexOf(delimiter, headerEnd)
    if (next < 0) return undefined
    // The part's data ends with the CRLF that precedes the next delimiter.
    const data = body.subarray(
      headerEnd + HEADER_END.length,
      Math.max(headerEnd + HEADER_END.length, next - 2),
    )
    const part = partFromHeaders(body.subarray(headerStart, headerEnd).toString('utf8'), data)
    if (!part) return undefined
    parts.push(part)
    at = next
  }
}

function partFromHeaders(headerText: string, data: Buffer): MultipartPart | undefined {
  let name: string | undefined
  let filename: string | undefined
  let contentType: string | undefined
  for (const line of headerText.split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon < 0) continue
    const key = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    if (key === 'content-type') contentType = value
    if (key !== 'content-disposition') continue
    name = /(?:^|;)\s*name="([^"]*)"/i.exec(value)?.[1]
    const star = /filename\*=(?:UTF-8'')?([^;]+)/i.exec(value)?.[1]
    const plain = /(?:^|;)\s*filename="([^"]*)"/i.exec(value)?.[1]
    filename = star ? safeDecode(star) : plain !== undefined ? safeDecode(plain) : undefined
  }
  if (name === undefined) return undefined
  return {
    name,
    data,
    ...(filename !== undefined ? { filename } : {}),
    ...(contentType !== undefined ? { contentType } : {}),
  }
}

// Browsers and undici percent-encode `"`, CR and LF inside quoted file names.
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}
