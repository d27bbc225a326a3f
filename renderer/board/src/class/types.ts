// The classroom API's shapes and what a class code looks like, from the one
// file the hub and the page share (it has no imports, so it builds for the
// browser as it is).
export * from '../../../../server/classroom/api-types';
