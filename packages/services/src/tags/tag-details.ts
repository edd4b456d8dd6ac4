/** A tag with what is known about it: from the Docker Hub API on Docker Hub, else from the registry. @public */
export interface TagDetail {
  /** The tag. */
  readonly name: string;
  /** The manifest (or index) digest it points at. */
  readonly digest?: string | undefined;
  /** The manifest's media type, when the registry said. */
  readonly mediaType?: string | undefined;
  /** Total size of the image's layers and configs in bytes (Docker Hub's `full_size`). */
  readonly size?: number | undefined;
  /** When the tag was last pushed (Docker Hub only). */
  readonly lastPushed?: Date | undefined;
  /** When the tag was last pulled (Docker Hub only; undefined when never). */
  readonly lastPulled?: Date | undefined;
  /** `os/arch[/variant]` of each image under the tag (Docker Hub only). */
  readonly platforms: readonly string[];
  /** `hub-api` or `registry`: where the details came from. */
  readonly source: 'hub-api' | 'registry';
}

