/** A migration failure, with Prisma's error code when there is one (P3009, P3018, …). */
export class MigrationError extends Error {
  readonly code: string | undefined;
  constructor(message: string, code?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MigrationError';
    this.code = code;
  }
}
