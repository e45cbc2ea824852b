import { Form, Gatehouse } from 'gatehouse'
import { expect, it } from 'vitest'
import { z } from 'zod'
import { describeEngines } from './helpers/http.js'

const app = new Gatehouse()
app.post(
  '/upload',
  {
    inputs: { a: Form(z.string().optional()), file: Form(z.file().optional()) },
    bodyLimit: 64 * 1024,
  },
  async ({ a, file }) => ({
    a,
    file: file && {
      name: file.name,
      type: file.type,
      bytes: [...new Uint8Array(await file.arrayBuffer())],
    },
  }),
)

const multipart = (body: string | Uint8Array, contentType = 'multipart/form-data; boundary=B') => ({
  method: 'POST',
  headers: { 'content-type': contentType },
  body: body as BodyInit,
})
const field = (name: string, value: string) =>
  `--B\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
const filePart = (disposition: string, content: string) =>
  `--B\r\nContent-Disposition: form-data; name="file"; ${disposition}\r\nContent-Type: text/plain\r\n\r\n${content}\r\n`
const bytesOf = (text: string) => [...new TextEncoder().encode(text)]

describeEngines('multipart/form-data', app, (send) => {
  const post = async (body: string | Uint8Array, contentType?: string) => {
    const response = await send('/upload', multipart(body, contentType))
    return { status: response.status, body: await response.json() }
  }
  const refused = { status: 400, body: { detail: 'There was an error parsing the body' } }

  it('ignores a preamble and an epilogue (RFC 2046 §5.1.1)', async () => {
    const part = field('a', 'hi')
    expect(await post(`preamble\r\n${part}--B--\r\n`)).toEqual({ status: 200, body: { a: 'hi' } })
    expect(await post(`\r\n${part}--B--`)).toEqual({ status: 200, body: { a: 'hi' } })
    expect(await post(`${part}--B--\r\nepilogue --B\r\n`)).toEqual({
      status: 200,
      body: { a: 'hi' },
    })
    // Transport padding after a boundary is allowed too.
    expect(
      await post(`--B \t\r\nContent-Disposition: form-data; name=a\r\n\r\nhi\r\n--B--`),
    ).toEqual({
      status: 200,
      body: { a: 'hi' },
    })
  })

  it("takes .NET's filename plus filename*, filename* winning (RFC 6266 §4.3)", async () => {
    const body = `${filePart(`filename="fallback.txt"; filename*=utf-8''na%C3%AFve%20%E2%82%AC.txt`, 'hi')}--B--\r\n`
    expect(await post(body)).toEqual({
      status: 200,
      body: { file: { name: 'naïve €.txt', type: 'text/plain', bytes: bytesOf('hi') } },
    })
  })

  it('takes filename* alone, UTF-8 or ISO-8859-1, and falls back to filename when it is undecodable', async () => {
    const name = async (disposition: string) =>
      (await post(`${filePart(disposition, 'x')}--B--`)).body.file?.name
    expect(await name(`filename*=UTF-8'en'%C3%A9t%C3%A9.txt`)).toBe('été.txt')
    expect(await name(`filename*=iso-8859-1''%E9t%E9.txt`)).toBe('été.txt')
    expect(await name(`filename="plain.txt"; filename*=utf-8''%FF.txt`)).toBe('plain.txt')
    expect(await name('filename="C:\\dir\\a \\"b\\".txt"')).toBe('C:\\dir\\a "b".txt')
    // Undecodable and alone: still a file part, so a refusal rather than a text field.
    expect(await post(`${filePart(`filename*=utf-8''%FF.txt`, 'x')}--B--`)).toEqual(refused)
  })

  it('keeps file bytes exactly, CRLF and dashes included', async () => {
    // The delimiter is CRLF--B; anything short of it is content (boundaries are case-sensitive).
    const content = '\r\n--not-the-boundary\r\n-B\r\n--b\r\n'
    const body = `${filePart('filename="f.bin"', content)}${field('a', '')}--B--`
    expect(await post(body)).toEqual({
      status: 200,
      body: { file: { name: 'f.bin', type: 'text/plain', bytes: bytesOf(content) } },
    })
  })

  it.each([
    ['no boundary parameter', field('a', 'hi'), 'multipart/form-data'],
    [
      'a boundary longer than 70 characters',
      field('a', 'hi'),
      `multipart/form-data; boundary=${'B'.repeat(71)}`,
    ],
    ['no opening boundary', 'Content-Disposition: form-data; name="a"\r\n\r\nhi', undefined],
    ['no closing boundary', field('a', 'hi'), undefined],
    ['text glued to a boundary', `--Bx\r\n${field('a', 'hi').slice(5)}--B--`, undefined],
    [
      'a part without Content-Disposition',
      '--B\r\nContent-Type: text/plain\r\n\r\nhi\r\n--B--',
      undefined,
    ],
    [
      'a part without a name',
      '--B\r\nContent-Disposition: form-data\r\n\r\nhi\r\n--B--',
      undefined,
    ],
    [
      'a disposition other than form-data',
      '--B\r\nContent-Disposition: attachment; name="a"\r\n\r\nhi\r\n--B--',
      undefined,
    ],
    [
      'a repeated parameter',
      '--B\r\nContent-Disposition: form-data; name="a"; name="b"\r\n\r\nhi\r\n--B--',
      undefined,
    ],
    [
      'a part without a blank line',
      '--B\r\nContent-Disposition: form-data; name="a"\r\n--B\r\n\r\n\r\n--B--',
      undefined,
    ],
    ['1001 parts', `${field('a', '').repeat(1001)}--B--`, undefined],
    [
      '17 KiB of part headers',
      `--B\r\nContent-Disposition: form-data; name="a"\r\nX-Pad: ${'p'.repeat(17 * 1024)}\r\n\r\nhi\r\n--B--`,
      undefined,
    ],
  ])('answers 400 to %s', async (_, body, contentType) => {
    expect(await post(body, contentType)).toEqual(refused)
  })

  it('still answers 413 to a body over the route limit', async () => {
    const body = `${filePart('filename="big"', 'x'.repeat(65 * 1024))}--B--`
    expect((await post(body)).status).toBe(413)
  })

  it('accepts 1000 parts', async () => {
    expect(await post(`${field('a', 'x').repeat(1000)}--B--`)).toEqual({
      status: 200,
      body: { a: 'x' },
    })
  })
})
