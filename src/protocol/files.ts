/** The Files API's parameters (openai `FileCreateParams`, `FileListParams`) and its object. */
import { z } from 'zod';

/** Purposes an upload may name (openai `FilePurpose`). */
export const UPLOAD_PURPOSES = ['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];

/** The multipart form's fields besides `file`, once gathered into an object. */
export const uploadFieldsSchema = z.strictObject({
  purpose: z.enum(UPLOAD_PURPOSES),
  expires_after: z
    .strictObject({
      anchor: z.literal('created_at'),
      seconds: z
        .string()
        .regex(/^\d+$/, 'expected an integer')
        .transform(Number)
        .pipe(z.number().int().min(3600).max(2_592_000)),
    })
    .optional(),
});

const limit = z
  .string()
  .regex(/^\d+$/, 'expected an integer')
  .transform(Number)
  .pipe(z.number().int().min(1).max(10_000));

export const listFilesQuerySchema = z.strictObject({
  purpose: z.string().optional(),
  limit: limit.optional(),
  order: z.enum(['asc', 'desc']).optional(),
  after: z.string().optional(),
});

/** openai `FileObject`. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'uploaded' | 'processed' | 'error';
  expires_at?: number;
  status_details?: string | null;
}

export interface FileDeleted {
  id: string;
  object: 'file';
  deleted: true;
}
