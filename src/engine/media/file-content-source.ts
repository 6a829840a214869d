/**
 * What `file_id` in an `input_image` or `input_file` part reads from: the Files API's store (it
 * implements this). Without one, or for an id it does not know, the part is refused with a 400
 * naming its `file_id`: ids are never forwarded to an upstream, which knows none of them.
 */

export interface FileContent {
  filename: string;
  /** e.g. `application/pdf`, `image/png`. */
  mediaType: string;
  bytes: Uint8Array;
}

export interface FileContentSource {
  /** The tenant's file by id; undefined when it has none with that id. */
  get(tenantId: string, fileId: string): Promise<FileContent | undefined> | FileContent | undefined;
}
