export { ArchiveInvalidError, type ArchiveProblem } from './archive-error.js';
export type { ArchiveSource } from './archive-catalog.js';
export { DEFAULT_MAX_ARCHIVE_BYTES, DEFAULT_MAX_ARCHIVE_ENTRIES, type ArchiveLimits } from './tar-reader.js';
export type { ArchiveFormat, ExportOptions, ExportResult, ImportOptions, ImportResult } from './types.js';
