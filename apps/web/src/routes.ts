/**
 * The web app's own paths, as patterns. The build writes them to `app-routes.json` beside
 * index.html (app-routes-file.ts), and the server answers exactly these paths with the app: any
 * other path that asks for HTML (`/health`, `/api`) is a 404, not a blank app. No React here:
 * the build's configuration imports this module.
 */
/** One conversation: `/c/<id>`. */
export const CONVERSATION_PATH = /^\/c\/([\w-]{1,64})\/?$/;

/** The archived conversations: `/archived`. */
export const ARCHIVE_ROUTE = /^\/archived\/?$/;

/** Import and export: `/data`. */
export const DATA_ROUTE = /^\/data\/?$/;

/** Every path the app renders a screen for (its "not found" screen aside). */
export const APP_ROUTES: readonly RegExp[] = [/^\/$/, CONVERSATION_PATH, ARCHIVE_ROUTE, DATA_ROUTE];
