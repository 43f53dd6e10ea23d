// The digest a page error carries when the database was unavailable. Next.js keeps an
// error's own digest when it passes a server error to the browser (without its message),
// so the error page can say what happened and that retrying helps.
export const DATABASE_UNAVAILABLE_DIGEST = 'optiscope-database-unavailable';
