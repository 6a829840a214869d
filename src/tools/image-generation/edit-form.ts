/**
 * The multipart body of `POST /images/edits` as openai-node sends it (`images.edit`): the images
 * as file parts, `image` for one and `image[]` for several; the mask as the `mask` file part; the
 * settings as text fields; `stream` and `partial_images` only when partials are wanted.
 */
/** An image's bytes, base64 as the resolver and stored items hold them. */
export interface ImageBytes {
  mediaType: string;
  base64: string;
}

export interface EditImages {
  /** Oldest first; at least one. */
  images: readonly ImageBytes[];
  /** Its transparent areas are where the first image is edited. */
  mask?: ImageBytes | undefined;
}

export function editForm(
  fields: Record<string, unknown>,
  { images, mask }: EditImages,
  partialImages: number,
): FormData {
  const form = new FormData();
  const field = images.length === 1 ? 'image' : 'image[]';
  for (const [i, image] of images.entries()) {
    form.append(field, blobOf(image), fileName(`image-${i + 1}`, image));
  }
  if (mask) form.append('mask', blobOf(mask), fileName('mask', mask));
  const settings = {
    ...fields,
    ...(partialImages > 0 ? { stream: true, partial_images: partialImages } : {}),
  };
  for (const [name, value] of Object.entries(settings)) {
    if (value !== undefined) form.append(name, String(value));
  }
  return form;
}

function blobOf(image: ImageBytes): Blob {
  return new Blob([Buffer.from(image.base64, 'base64')], { type: image.mediaType });
}

/** Services read the format from the name as well as the part's type. */
function fileName(stem: string, image: ImageBytes): string {
  const subtype = image.mediaType.split('/')[1] ?? 'png';
  return `${stem}.${subtype === 'jpeg' ? 'jpg' : subtype}`;
}
