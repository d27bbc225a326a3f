// Reads a management request's parameters as Go's FormValue does: the body
// (urlencoded or multipart) first, then the query string
// (docs/protocols/zwibbler.md#common-rules).

export interface FormParams {
  /** The first non-empty value of a field, or '' (the reference treats both alike). */
  value(name: string): string;
  /** Whether the field was sent at all, even empty. */
  has(name: string): boolean;
  /** An uploaded file part's bytes, or undefined. */
  file(name: string): Promise<Uint8Array | undefined>;
}

export async function parseForm(
  contentType: string | undefined,
  body: Buffer,
  query: URLSearchParams,
): Promise<FormParams> {
  let form: FormData | undefined;
  if (body.length > 0 && contentType) {
    const type = contentType.toLowerCase();
    if (
      type.startsWith('multipart/form-data') ||
      type.startsWith('application/x-www-form-urlencoded')
    ) {
      try {
        // undici's parser, built into Node: no hand-rolled multipart.
        form = await new Request('http://management.invalid/', {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        }).formData();
      } catch {
        throw new MalformedFormError();
      }
    }
  }
  const fromForm = (name: string): string | undefined => {
    const v = form?.get(name);
    return typeof v === 'string' ? v : undefined;
  };
  return {
    value: (name) => fromForm(name) || query.get(name) || '',
    has: (name) => Boolean(form?.has(name)) || query.has(name),
    async file(name) {
      const v = form?.get(name);
      return v && typeof v !== 'string' ? new Uint8Array(await v.arrayBuffer()) : undefined;
    },
  };
}

export class MalformedFormError extends Error {
  constructor() {
    super('malformed form body');
    this.name = 'MalformedFormError';
  }
}
