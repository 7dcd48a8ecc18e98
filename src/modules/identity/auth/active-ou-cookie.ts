/** The cookie a browser session keeps its active OU in (`POST /org-units/active` sets it; the access guard reads it). */
export const ACTIVE_OU_COOKIE = 'activeOu';
