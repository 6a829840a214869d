/** Why a file could not be turned into text; becomes the attachment's `last_error`. */
export class DocumentError extends Error {
  override name = 'DocumentError';

  constructor(
    readonly code: 'unsupported_file' | 'invalid_file',
    message: string,
  ) {
    super(message);
  }
}
