/** An RFC 3339 date-time with a zone (`Z` or an offset), as query and body fields that take instants accept it. */
export const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
