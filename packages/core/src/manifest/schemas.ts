import * as z from 'zod';
import { Digest } from '../digest/digest.js';
import { MediaType } from '../media-type/media-type.js';
import { lazySchema } from '../validation/lazy-schema.js';

// Schemas follow the OCI image spec and Docker's schema 2 spec. Objects are loose
// (`z.looseObject`): unknown fields are kept, never rejected, as the specs require. Each is built
// on first use (`lazySchema`): loading core costs no schema construction.

const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const MEDIA_TYPE_GRAMMAR =
  /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A digest string in a document: the image-spec grammar, with sha256/sha512 checked strictly
 * (lower-case hex of the right length). Other registered-looking algorithms pass, as the spec says.
 * @public
 */
export const DigestStringSchema = lazySchema(() =>
  z
    .string()
    .refine((s) => DIGEST_GRAMMAR.test(s), { error: 'not a digest (<algorithm>:<encoded>)' })
    .refine((s) => !/^sha(?:256|512):/.test(s) || Digest.tryParse(s) !== undefined, {
      error: 'sha256 needs 64 and sha512 128 lower-case hex characters',
    }),
);

/** A media type string (`type/subtype`, RFC 6838 characters). @public */
export const MediaTypeStringSchema = lazySchema(() =>
  z.string().regex(MEDIA_TYPE_GRAMMAR, { error: 'not a media type (type/subtype)' }),
);

const annotations = lazySchema(() => z.record(z.string(), z.string()));

/** The platform object of an index entry (OCI `platform`, Docker list `platform`). @public */
export const PlatformObjectSchema = lazySchema(() =>
  z.looseObject({
    architecture: z.string(),
    os: z.string(),
    'os.version': z.string().optional(),
    'os.features': z.array(z.string()).optional(),
    variant: z.string().optional(),
    features: z.array(z.string()).optional(),
  }),
);

/** A content descriptor: media type, digest, size and optional extras. @public */
export const DescriptorSchema = lazySchema(() =>
  z.looseObject({
    mediaType: MediaTypeStringSchema,
    digest: DigestStringSchema,
    size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    urls: z.array(z.string()).optional(),
    annotations: annotations.optional(),
    data: z.string().regex(BASE64, { error: 'not base64' }).optional(),
    artifactType: MediaTypeStringSchema.optional(),
    platform: PlatformObjectSchema.optional(),
  }),
);

/** Docker image manifest, schema 2. @public */
export const DockerManifestSchema = lazySchema(() =>
  z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.literal(MediaType.DockerManifest),
    config: DescriptorSchema,
    layers: z.array(DescriptorSchema),
  }),
);

/** Docker manifest list. @public */
export const DockerManifestListSchema = lazySchema(() =>
  z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.literal(MediaType.DockerManifestList),
    manifests: z.array(DescriptorSchema),
  }),
);

/** OCI image manifest (images and artifacts). @public */
export const OciManifestSchema = lazySchema(() =>
  z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.literal(MediaType.OciManifest).optional(),
    artifactType: MediaTypeStringSchema.optional(),
    config: DescriptorSchema,
    layers: z.array(DescriptorSchema),
    subject: DescriptorSchema.optional(),
    annotations: annotations.optional(),
  }),
);

/** OCI image index. @public */
export const OciIndexSchema = lazySchema(() =>
  z.looseObject({
    schemaVersion: z.literal(2),
    mediaType: z.literal(MediaType.OciIndex).optional(),
    artifactType: MediaTypeStringSchema.optional(),
    manifests: z.array(DescriptorSchema),
    subject: DescriptorSchema.optional(),
    annotations: annotations.optional(),
  }),
);

/** The image config blob (OCI config, Docker `container.image.v1`). Optional fields may be null. @public */
export const ImageConfigSchema = lazySchema(() =>
  z.looseObject({
    architecture: z.string(),
    os: z.string(),
    'os.version': z.string().nullish(),
    'os.features': z.array(z.string()).nullish(),
    variant: z.string().nullish(),
    created: z.string().nullish(),
    author: z.string().nullish(),
    config: z
      .looseObject({
        User: z.string().nullish(),
        ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
        Env: z.array(z.string()).nullish(),
        Entrypoint: z.array(z.string()).nullish(),
        Cmd: z.array(z.string()).nullish(),
        Volumes: z.record(z.string(), z.unknown()).nullish(),
        WorkingDir: z.string().nullish(),
        Labels: z.record(z.string(), z.string()).nullish(),
        StopSignal: z.string().nullish(),
      })
      .nullish(),
    rootfs: z.looseObject({ type: z.string(), diff_ids: z.array(DigestStringSchema) }),
    history: z
      .array(
        z.looseObject({
          created: z.string().nullish(),
          author: z.string().nullish(),
          created_by: z.string().nullish(),
          comment: z.string().nullish(),
          empty_layer: z.boolean().nullish(),
        }),
      )
      .nullish(),
  }),
);

/** A content descriptor. @public */
export type Descriptor = z.infer<typeof DescriptorSchema>;
/** The platform object of an index entry. @public */
export type PlatformObject = z.infer<typeof PlatformObjectSchema>;
/** Docker schema 2 image manifest. @public */
export type DockerManifest = z.infer<typeof DockerManifestSchema>;
/** Docker manifest list. @public */
export type DockerManifestList = z.infer<typeof DockerManifestListSchema>;
/** OCI image manifest. @public */
export type OciManifest = z.infer<typeof OciManifestSchema>;
/** OCI image index. @public */
export type OciIndex = z.infer<typeof OciIndexSchema>;
/** Image config blob. @public */
export type ImageConfig = z.infer<typeof ImageConfigSchema>;
/** A single-platform image manifest. @public */
export type ImageManifest = DockerManifest | OciManifest;
/** A multi-platform index. @public */
export type ImageIndex = DockerManifestList | OciIndex;
/** Any manifest {@link parseManifest} returns. @public */
export type Manifest = ImageManifest | ImageIndex;
